//! Percentile bootstrap of a mean, drawn from a histogram with a
//! counter-based generator.
//!
//! **Method.** For a cell with n answers and histogram `c_1..c_K`, resample
//! `b = 0..B-1` draws n answers with replacement: draw `i` takes the
//! answer at sorted position `floor(u * n / 2^64)` where
//! `u = mix(key + mix(b * 2^32 + i + GOLDEN))`, `mix` the SplitMix64
//! finaliser and `key = mix(seed ^ fnv1a64(figure_id))`. The resample mean is
//! an exact integer sum over n. The CI is the type-7 quantile (linear
//! interpolation) of the B sorted resample means at `(1 - confidence) / 2`
//! and `(1 + confidence) / 2`.
//!
//! Every draw is a pure function of (seed, figure id, b, i): no generator
//! state, so the result is the same on every run, platform and thread
//! count, and adding a site does not move any other cell's CI.

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser (Steele, Lea & Flood 2014).
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, 64 bit: a stable hash of a figure id.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The generator key of one figure.
pub fn key(seed: u64, figure_id: &str) -> u64 {
    mix(seed ^ fnv1a64(figure_id.as_bytes()))
}

/// The `i`-th uniform 64-bit draw of resample `b`.
pub fn draw(key: u64, b: u32, i: u32) -> u64 {
    let counter = (u64::from(b) << 32) | u64::from(i);
    mix(key.wrapping_add(mix(counter.wrapping_add(GOLDEN))))
}

/// Percentile bootstrap CI of the mean; None when the histogram is empty
/// or `resamples` is 0 or the confidence is not in (0, 1).
pub fn mean_ci<const K: usize>(hist: &[u64; K], key: u64, resamples: u32, confidence: f64) -> Option<(f64, f64)> {
    let n: u64 = hist.iter().sum();
    if n == 0 || n > u64::from(u32::MAX) || resamples == 0 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let mut cum = [0u64; K];
    let mut acc = 0;
    for k in 0..K {
        acc += hist[k];
        cum[k] = acc;
    }
    let mut sums: Vec<u64> = (0..resamples)
        .map(|b| {
            (0..n as u32)
                .map(|i| {
                    let pos = ((u128::from(draw(key, b, i)) * u128::from(n)) >> 64) as u64;
                    (cum.iter().position(|&c| pos < c).unwrap_or(K - 1) + 1) as u64
                })
                .sum()
        })
        .collect();
    sums.sort_unstable();
    let at = |p: f64| {
        let h = (sums.len() - 1) as f64 * p;
        let lo = h.floor();
        let j = lo as usize;
        let x0 = sums[j] as f64;
        let x1 = sums[(j + 1).min(sums.len() - 1)] as f64;
        (x0 + (h - lo) * (x1 - x0)) / n as f64
    };
    let alpha = 1.0 - confidence;
    Some((at(alpha / 2.0), at(1.0 - alpha / 2.0)))
}
