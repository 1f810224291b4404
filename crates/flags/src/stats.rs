//! Quartiles and percentiles exactly as cardinal gets them from `statrs` 0.16
//! (`Data::lower_quartile`, `upper_quartile`, `percentile`): the same estimator (R-8, with
//! `h = (n + 1/3)·τ + 1/3`), the same in-place selection and the same order of calls, so the
//! figures are equal to the last bit.

/// The data of one statistic; selections reorder it in place, as `statrs::statistics::Data` does.
pub(crate) struct Data(Vec<f64>);

impl Data {
    pub(crate) fn new(values: Vec<f64>) -> Data {
        Data(values)
    }

    pub(crate) fn lower_quartile(&mut self) -> f64 {
        self.quantile(0.25)
    }

    pub(crate) fn upper_quartile(&mut self) -> f64 {
        self.quantile(0.75)
    }

    pub(crate) fn percentile(&mut self, percent: usize) -> f64 {
        self.quantile(percent as f64 / 100.0)
    }

    fn quantile(&mut self, tau: f64) -> f64 {
        if !(0.0..=1.0).contains(&tau) || self.0.is_empty() {
            return f64::NAN;
        }
        let length = self.0.len();
        let h = (length as f64 + 1.0 / 3.0) * tau + 1.0 / 3.0;
        let floor = h as i64;
        if floor <= 0 || tau == 0.0 {
            return self.min();
        }
        // statrs also answers the maximum when τ is within four ulps of 1 (approx's `ulps_eq!`,
        // whose first test is an absolute difference within `f64::EPSILON`).
        if floor >= length as i64 || (tau - 1.0).abs() <= f64::EPSILON {
            return self.max();
        }
        let below = self.select(floor as usize - 1);
        let above = self.select(floor as usize);
        below + (h - floor as f64) * (above - below)
    }

    fn min(&self) -> f64 {
        let mut values = self.0.iter().copied();
        let Some(first) = values.next() else {
            return f64::NAN;
        };
        values.fold(first, |low, value| {
            if value < low || value.is_nan() {
                value
            } else {
                low
            }
        })
    }

    fn max(&self) -> f64 {
        let mut values = self.0.iter().copied();
        let Some(first) = values.next() else {
            return f64::NAN;
        };
        values.fold(first, |high, value| {
            if value > high || value.is_nan() {
                value
            } else {
                high
            }
        })
    }

    /// `statrs`' `select_inplace`: a median-of-three quickselect.
    fn select(&mut self, rank: usize) -> f64 {
        if rank == 0 {
            return self.min();
        }
        if rank > self.0.len() - 1 {
            return self.max();
        }
        let data = &mut self.0;
        let mut low = 0;
        let mut high = data.len() - 1;
        loop {
            if high <= low + 1 {
                if high == low + 1 && data[high] < data[low] {
                    data.swap(low, high);
                }
                return data[rank];
            }
            let middle = (low + high) / 2;
            data.swap(middle, low + 1);
            if data[low] > data[high] {
                data.swap(low, high);
            }
            if data[low + 1] > data[high] {
                data.swap(low + 1, high);
            }
            if data[low] > data[low + 1] {
                data.swap(low, low + 1);
            }
            let mut begin = low + 1;
            let mut end = high;
            let pivot = data[begin];
            loop {
                // statrs relies on `data[high] >= pivot` and `data[low] <= pivot` to stop these
                // scans; with a NaN in the data they do not hold and statrs indexes out of bounds.
                // The bounds below change nothing for data without NaN and keep us from panicking.
                loop {
                    begin += 1;
                    if begin >= high || data[begin] >= pivot {
                        break;
                    }
                }
                loop {
                    end -= 1;
                    if end <= low || data[end] <= pivot {
                        break;
                    }
                }
                if end < begin {
                    break;
                }
                data.swap(begin, end);
            }
            data[low + 1] = data[end];
            data[end] = pivot;
            if end >= rank {
                high = end - 1;
            }
            if end <= rank {
                low = begin;
            }
        }
    }
}
