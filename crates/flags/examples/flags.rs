//! The library with no CLI framework around it, for benchmarks and for comparing with cardinal:
//! `cargo run --release -p flags --example flags -- [--settings FILE] [--no-meta] [--map]
//! [--count] [--threads N] FILE|-` (the options of `ggzy flags` and `ocdscardinal indicators`, and
//! the number of worker threads, one per core by default).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut settings_path = None;
    let mut input = None;
    let mut options = flags::JsonOptions::default();
    let mut run_options = flags::RunOptions::default();
    let mut count = false;
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--settings" | "-s" => settings_path = arguments.next(),
            "--no-meta" => options.meta = false,
            "--map" => run_options.map = true,
            "--count" | "-c" => count = true,
            "--threads" => {
                run_options.threads = arguments.next().and_then(|number| number.parse().ok());
            }
            _ => input = Some(argument),
        }
    }
    let Some(input) = input else {
        eprintln!(
            "usage: flags [--settings FILE] [--no-meta] [--map] [--count] [--threads N] FILE|-"
        );
        return ExitCode::from(2);
    };
    let settings = match settings_path.map(std::fs::read_to_string).transpose() {
        Ok(text) => match flags::Settings::parse(text.as_deref().unwrap_or("")) {
            Ok(settings) => settings,
            Err(error) => {
                eprintln!("error: the settings: {error}");
                return ExitCode::from(2);
            }
        },
        Err(error) => {
            eprintln!("error: the settings file: {error}");
            return ExitCode::from(2);
        }
    };
    let result = if input == "-" {
        flags::Indicators::run_with(io::stdin().lock(), &settings, &run_options)
    } else {
        match File::open(&input) {
            Ok(file) => flags::Indicators::run_with(file, &settings, &run_options),
            Err(error) => {
                eprintln!("error: {input}: {error}");
                return ExitCode::from(2);
            }
        }
    };
    let output = match result {
        Ok(output) => output,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let stdout = io::stdout();
    let mut writer = BufWriter::new(stdout.lock());
    if let Err(error) = output
        .write_json(&mut writer, options)
        .and_then(|()| writer.flush())
    {
        eprintln!("error: writing the output: {error}");
        return ExitCode::FAILURE;
    }
    for warning in output.warnings() {
        eprintln!("warning: {warning}");
    }
    if count {
        for (group, number) in output.counts() {
            eprintln!("{}: {number}", group.name());
        }
    }
    ExitCode::SUCCESS
}
