//! Descriptive statistics from a histogram of a scale `1..=K`.
//!
//! `hist[k]` counts the answers `k + 1`. Sums of integers are exact, so a
//! mean or variance from the histogram equals the one from the raw list.

/// Number of answers.
pub fn count<const K: usize>(hist: &[u64; K]) -> u64 {
    hist.iter().sum()
}

/// `(sum of x, sum of x^2)` as exact integers.
fn sums<const K: usize>(hist: &[u64; K]) -> (u128, u128) {
    hist.iter().enumerate().fold((0, 0), |(s1, s2), (k, &c)| {
        let x = (k + 1) as u128;
        (s1 + x * u128::from(c), s2 + x * x * u128::from(c))
    })
}

/// Mean; None when empty.
pub fn mean<const K: usize>(hist: &[u64; K]) -> Option<f64> {
    let n = count(hist);
    (n > 0).then(|| sums(hist).0 as f64 / n as f64)
}

/// Sample variance (denominator n - 1), computed as
/// `(n * S2 - S1^2) / (n (n - 1))` with the numerator an exact integer;
/// None when n < 2.
pub fn variance<const K: usize>(hist: &[u64; K]) -> Option<f64> {
    let n = u128::from(count(hist));
    if n < 2 {
        return None;
    }
    let (s1, s2) = sums(hist);
    let num = n * s2 - s1 * s1;
    Some(num as f64 / (n * (n - 1)) as f64)
}

/// Sample standard deviation (n - 1); None when n < 2.
pub fn sd<const K: usize>(hist: &[u64; K]) -> Option<f64> {
    variance(hist).map(f64::sqrt)
}

/// The value at 0-based position `j` of the sorted answers.
fn value_at<const K: usize>(hist: &[u64; K], j: u64) -> f64 {
    let mut cum = 0;
    for (k, &c) in hist.iter().enumerate() {
        cum += c;
        if j < cum {
            return (k + 1) as f64;
        }
    }
    K as f64
}

/// Quantile by linear interpolation between order statistics, R's type 7
/// (the default of R and numpy): `h = (n - 1) p`, `x[floor h] + (h - floor
/// h) (x[floor h + 1] - x[floor h])` with 0-based sorted `x`. None when empty.
pub fn quantile<const K: usize>(hist: &[u64; K], p: f64) -> Option<f64> {
    let n = count(hist);
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor();
    let j = lo as u64;
    let x0 = value_at(hist, j);
    let x1 = value_at(hist, (j + 1).min(n - 1));
    Some(x0 + (h - lo) * (x1 - x0))
}

/// Percent of answers in `cats` (0-based categories); None when empty.
pub fn percent<const K: usize>(hist: &[u64; K], cats: &[usize]) -> Option<f64> {
    let n = count(hist);
    let hit: u64 = cats.iter().filter_map(|&k| hist.get(k)).sum();
    (n > 0).then(|| hit as f64 / n as f64 * 100.0)
}

/// rwg (James, Demaree & Wolf 1984): `1 - s^2 / sigma_EU^2` with the
/// uniform null variance `sigma_EU^2 = (A^2 - 1) / 12` (2 for A = 5) and
/// `s^2` the sample variance (n - 1). Truncated at 0 (observed variance
/// above the uniform null means no agreement); None when n < 2.
pub fn rwg<const K: usize>(hist: &[u64; K]) -> Option<f64> {
    let a = K as f64;
    let sigma2 = (a * a - 1.0) / 12.0;
    variance(hist).map(|s2| (1.0 - s2 / sigma2).max(0.0))
}

/// Tastle & Wierman (2007) consensus:
/// `Cns = 1 + sum_i p_i log2(1 - |X_i - mu| / d_X)` with `d_X = K - 1`
/// (4 for a 1-5 scale), over the categories with `p_i > 0`. 1 when everyone
/// gives the same answer, 0 when answers split evenly between the two
/// extremes. None when empty.
pub fn tastle_wierman<const K: usize>(hist: &[u64; K]) -> Option<f64> {
    let n = count(hist);
    let mu = mean(hist)?;
    let width = (K - 1) as f64;
    if width <= 0.0 {
        return Some(1.0);
    }
    let mut cns = 1.0;
    for (k, &c) in hist.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let p = c as f64 / n as f64;
        let arg = 1.0 - ((k + 1) as f64 - mu).abs() / width;
        if arg <= 0.0 {
            return None;
        }
        cns += p * arg.log2();
    }
    Some(cns)
}

/// The categories (0-based) with the highest count; empty when no answers.
pub fn modes<const K: usize>(hist: &[u64; K]) -> Vec<usize> {
    let max = hist.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return Vec::new();
    }
    (0..K).filter(|&k| hist[k] == max).collect()
}
