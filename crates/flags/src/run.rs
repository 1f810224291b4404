//! Reading the input in chunks of whole lines, tallying the chunks on worker threads, and adding
//! the tallies up in file order.
//!
//! The calling thread reads and merges; `threads` workers parse and fold. At most a few chunks are
//! in flight (their buffers are reused), so memory does not grow with the input, only with what the
//! indicators must remember (the processes with a result or a second-lowest bid ratio, and the
//! organisations' tallies).
//!
//! Merging in file order gives the results cardinal gives on one thread: when the same `ocid` is on
//! several lines, later results win; and when no `currency` is set, price comparisons keep the
//! first currency met in the file. A worker that starts a chunk before that currency is known keeps
//! its chunk's first currency; if that turns out to differ from the file's, the chunk is tallied
//! again with the file's currency when it is merged.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Mutex, OnceLock};
use std::thread;

use crate::indicators::{Plan, Tally, fold};
use crate::release::parse_release;
use crate::totals::{KEPT_LINE_NUMBERS, Lines, Totals};

/// A chunk holds at least this many bytes (whole lines; one longer line makes a longer chunk).
pub(crate) const CHUNK_BYTES: usize = 256 * 1024;
const READ_BYTES: usize = 64 * 1024;

struct Job {
    index: u64,
    bytes: Vec<u8>,
}

struct Done {
    index: u64,
    bytes: Vec<u8>,
    /// A worker's panic is carried to the calling thread, which resumes it.
    outcome: thread::Result<(Tally, Lines)>,
    /// The chunk was tallied with a currency known before it started.
    currency_given: bool,
}

pub(crate) fn run(
    mut reader: impl Read,
    plan: &Plan,
    threads: usize,
    chunk_bytes: usize,
) -> io::Result<Totals> {
    let file_currency: OnceLock<String> = OnceLock::new();
    let mut totals = Totals::default();
    let threads = threads.max(1);
    let most_in_flight = threads * 2 + 1;

    let (job_sender, job_receiver) = sync_channel::<Job>(threads);
    let job_receiver = Mutex::new(job_receiver);
    thread::scope(|scope| -> io::Result<()> {
        let (done_sender, done_receiver) = channel::<Done>();
        for _ in 0..threads {
            let done_sender = done_sender.clone();
            let job_receiver = &job_receiver;
            let file_currency = &file_currency;
            scope.spawn(move || {
                loop {
                    let job = match job_receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else {
                        return;
                    };
                    let given = plan
                        .currency
                        .clone()
                        .or_else(|| file_currency.get().cloned());
                    let currency_given = given.is_some();
                    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                        tally_chunk(plan, &job.bytes, given)
                    }));
                    let done = Done {
                        index: job.index,
                        bytes: job.bytes,
                        outcome,
                        currency_given,
                    };
                    if done_sender.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_sender);

        let mut merger = Merger {
            plan,
            file_currency: &file_currency,
            totals: &mut totals,
            pending: BTreeMap::new(),
            next: 0,
            spare: Vec::new(),
        };
        let mut carry = Vec::new();
        let mut sent = 0u64;
        let mut at_end = false;
        while !at_end {
            while sent - merger.next >= most_in_flight as u64 {
                merger.wait(&done_receiver);
            }
            let mut bytes = merger.spare.pop().unwrap_or_default();
            at_end = fill(&mut reader, &mut bytes, &mut carry, chunk_bytes)?;
            if bytes.is_empty() {
                break;
            }
            let job = Job { index: sent, bytes };
            if job_sender.send(job).is_err() {
                break;
            }
            sent += 1;
        }
        drop(job_sender);
        while merger.next < sent {
            merger.wait(&done_receiver);
        }
        Ok(())
    })?;
    Ok(totals)
}

struct Merger<'s> {
    plan: &'s Plan,
    file_currency: &'s OnceLock<String>,
    totals: &'s mut Totals,
    pending: BTreeMap<u64, Done>,
    next: u64,
    spare: Vec<Vec<u8>>,
}

impl Merger<'_> {
    /// Waits for one chunk, then merges every chunk that is next in file order.
    fn wait(&mut self, done_receiver: &Receiver<Done>) {
        // The workers only stop when the job channel closes, and a panic in one ends the scope.
        let Ok(done) = done_receiver.recv() else {
            return;
        };
        self.pending.insert(done.index, done);
        while let Some(done) = self.pending.remove(&self.next) {
            self.merge(done);
            self.next += 1;
        }
    }

    fn merge(&mut self, done: Done) {
        let (mut tally, mut lines) = match done.outcome {
            Ok(outcome) => outcome,
            Err(payload) => panic::resume_unwind(payload),
        };
        if self.plan.currency.is_none()
            && !done.currency_given
            && let Some(met) = &tally.currency
        {
            match self.file_currency.get() {
                None => {
                    let _ = self.file_currency.set(met.clone());
                }
                Some(kept) if kept != met => {
                    (tally, lines) = tally_chunk(self.plan, &done.bytes, Some(kept.clone()));
                }
                Some(_) => {}
            }
        }
        self.totals.absorb(tally, lines);
        self.spare.push(done.bytes);
    }
}

/// Fills `bytes` with `carry` and then whole lines from the reader, at least `chunk_bytes` of them
/// unless the input ends; what follows the last newline goes back to `carry`. `true` at the end.
fn fill(
    reader: &mut impl Read,
    bytes: &mut Vec<u8>,
    carry: &mut Vec<u8>,
    chunk_bytes: usize,
) -> io::Result<bool> {
    bytes.clear();
    bytes.append(carry);
    let mut last_newline = bytes.iter().rposition(|&byte| byte == b'\n');
    loop {
        if bytes.len() >= chunk_bytes
            && let Some(newline) = last_newline
        {
            carry.extend_from_slice(&bytes[newline + 1..]);
            bytes.truncate(newline + 1);
            return Ok(false);
        }
        let start = bytes.len();
        bytes.resize(start + READ_BYTES.min(chunk_bytes.max(1)), 0);
        let read = loop {
            match reader.read(&mut bytes[start..]) {
                Ok(read) => break read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    bytes.truncate(start);
                    return Err(error);
                }
            }
        };
        bytes.truncate(start + read);
        if read == 0 {
            return Ok(true);
        }
        if let Some(offset) = bytes[start..].iter().rposition(|&byte| byte == b'\n') {
            last_newline = Some(start + offset);
        }
    }
}

/// Tallies the lines of one chunk, in order.
fn tally_chunk(plan: &Plan, bytes: &[u8], currency: Option<String>) -> (Tally, Lines) {
    let mut tally = Tally::new(currency);
    let mut lines = Lines::default();
    // Every line but the last ends with a newline; a final empty piece is not a line.
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return (tally, lines);
    }
    match std::str::from_utf8(body) {
        Ok(text) => {
            for line in text.split('\n') {
                tally_line(plan, line, &mut tally, &mut lines);
            }
        }
        Err(_) => {
            for line in body.split(|&byte| byte == b'\n') {
                match std::str::from_utf8(line) {
                    Ok(line) => tally_line(plan, line, &mut tally, &mut lines),
                    Err(_) => {
                        if lines.invalid_utf8.len() < KEPT_LINE_NUMBERS {
                            lines.invalid_utf8.push(lines.count);
                        }
                        lines.invalid_utf8_count += 1;
                        lines.count += 1;
                    }
                }
            }
        }
    }
    (tally, lines)
}

fn tally_line(plan: &Plan, line: &str, tally: &mut Tally, lines: &mut Lines) {
    match parse_release(line, plan.wanted()) {
        Ok(Some(release)) => fold(plan, &release, tally),
        Ok(None) => {}
        // cardinal skips blank lines silently and warns about other invalid ones.
        Err(_) if line.bytes().all(|byte| byte.is_ascii_whitespace()) => {}
        Err(_) => {
            if lines.invalid_json.len() < KEPT_LINE_NUMBERS {
                lines.invalid_json.push(lines.count);
            }
            lines.invalid_json_count += 1;
        }
    }
    lines.count += 1;
}
