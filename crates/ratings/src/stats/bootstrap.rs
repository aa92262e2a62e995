//! Percentile bootstrap of a mean, drawn from a histogram with a
//! counter-based generator.
//!
//! **Uniforms.** Every random number is
//! `draw(key, b, i) = mix(key + mix(b * 2^32 + i + GOLDEN))` (wrapping
//! arithmetic on 64 bits), `mix` the SplitMix64 finaliser,
//! `key = mix(seed ^ fnv1a64(figure_id))`, `b` the resample and `i` the
//! draw within it. Every draw is a pure function of (seed, figure id, b, i):
//! no generator state, so the result is the same on every run, platform and
//! thread count, and adding a site does not move any other cell's CI.
//!
//! **Resample sums.** A cell has n answers and histogram `c_1..c_K`; resample
//! `b = 0..B-1` yields the integer sum `S_b` of n answers drawn with
//! replacement, by one of two methods chosen by n alone:
//!
//! - **Answer by answer** (n < [`BLOCKS_FROM`]): draw `i = 0..n-1` takes the
//!   answer at sorted position `floor(u * n / 2^64)`, `u = draw(key, b, i)`;
//!   `S_b` is the exact sum of the n answers. Cost O(B n). (Computed by
//!   comparing u with the thresholds `ceil(cum_k 2^64 / n)` of the
//!   cumulative counts, looked up by u's top byte where that decides; the
//!   key-independent inner `mix` of draws `i < 16` is tabulated once per
//!   table: the same answers as the formula, faster.)
//! - **Block sums** (n >= [`BLOCKS_FROM`]): the n draws are grouped into q
//!   blocks; `S_b = n + sum_j X_bj` where `X_bj` is the sum of one block's
//!   (answer - 1) values, drawn in one go from its exact distribution.
//!   Block sizes: `m` is the smallest integer with `2 m^3 >= B n` (capped at
//!   n and at [`MAX_BLOCK`]), `q = ceil(n / m)`, and with `n = q m1 + e`
//!   (`0 <= e < q`) blocks `j < e` hold `m1 + 1` draws and the others `m1`.
//!   The distribution `D_j` of the sum of j draws (support `0..(K-1) j`) is
//!   computed by convolution: `p_k = c_k / n`, `D_0 = [1]`,
//!   `D_j[s] = sum_k D_{j-1}[s - k] p_k` (k ascending, from 0.0), after
//!   which entries below `2^-200` at either end are dropped (they could
//!   never be drawn; this keeps the arithmetic away from subnormals). Its
//!   cumulative sums `F[s]` (left to right) become integer thresholds
//!   `T[s] = trunc(F[s] * 2^64)` (saturating), and a block is drawn by
//!   inversion: `X_bj` = the smallest s with `u < T[s]`, else the last
//!   point kept, with `u = draw(key, b, j)` (j = 0..q-1: block j is the
//!   j-th draw of resample b). Only `+`, `*`, one
//!   division per category and comparisons decide a draw: every IEEE 754
//!   machine gets the same bits (no transcendental function, no fused
//!   multiply-add). Each `S_b` has the same distribution as by the first
//!   method (up to rounding of order 1e-15 in the probabilities); only the
//!   random stream differs. Cost O(m^2) once plus O(B q) per cell, about
//!   O(B^(2/3) n^(2/3)).
//!
//! **Why 4.** Block sums start where they cost less than answer by answer,
//! measured per cell at B = 2000 (one core, cells of 1-5 answers of the
//! study's shape): n = 3: 16 us answer by answer against 19 us; n = 4: 19
//! against 16; n = 5: 24 against 17; n = 50: 206 against 22; n = 99: 272
//! against 30. Block sums cost about the same at any n below a few hundred
//! (one or two blocks), answer by answer grows with n. Until issue 17 the
//! threshold was 100; at 500,000 interviews (2,000 sites) the 219,890
//! site x group cells of about 50 answers then drew 2.2e10 answers and
//! the `ratings_summary` stage took 18.6 s; their block sums cost about a
//! tenth (bench/results.md). The demo's CIs of cells of 4 or more
//! answers changed with it (the same distribution, another random stream).
//!
//! **CI.** The type-7 quantile (linear interpolation) of the B sorted `S_b`
//! at `(1 - confidence) / 2` and `(1 + confidence) / 2`, divided by n. The
//! four order statistics needed are found by counting (sums spanning a short
//! range) or selection, not a full sort (the same values).

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Cells with at least this many answers are resampled by block sums;
/// smaller cells answer by answer (see the module doc): the smallest n at
/// which block sums cost less (measured, B = 2000: 19 us a cell against 16
/// at n = 4, 24 against 17 at n = 5, 206 against 22 at n = 50).
pub const BLOCKS_FROM: u64 = 4;

/// The largest block (draws whose sum is drawn at once).
pub const MAX_BLOCK: u64 = 4096;

/// Entries of a block-sum distribution below this (2^-200) are dropped.
const TINY: f64 = 6.223_015_277_861_142e-61;

/// 2^64 as a float (exact).
const TWO64: f64 = 18_446_744_073_709_551_616.0;

/// Inner mixes tabulated per resample: draws `i < TABLE_WIDTH` (the blocks
/// of every cell up to about 2,000 answers; 256 KB at B = 2000).
const TABLE_WIDTH: usize = 16;

/// At most this many tabulated inner mixes (16 MB).
const TABLE_MAX: usize = 1 << 21;

/// The SplitMix64 finaliser (Steele, Lea & Flood 2014).
#[inline]
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

/// The key-independent half of a draw: `mix(b * 2^32 + i + GOLDEN)`.
#[inline]
fn inner(b: u32, i: u32) -> u64 {
    let counter = (u64::from(b) << 32) | u64::from(i);
    mix(counter.wrapping_add(GOLDEN))
}

/// The `i`-th uniform 64-bit draw of resample `b`.
pub fn draw(key: u64, b: u32, i: u32) -> u64 {
    mix(key.wrapping_add(inner(b, i)))
}

/// Percentile bootstrap CI of the mean; None when the histogram is empty
/// or `resamples` is 0 or the confidence is not in (0, 1). A shorthand for
/// [`Resampler::mean_ci`]; build one [`Resampler`] for many cells.
pub fn mean_ci<const K: usize>(
    hist: &[u64; K],
    key: u64,
    resamples: u32,
    confidence: f64,
) -> Option<(f64, f64)> {
    Resampler::new(resamples, confidence).mean_ci(hist, key)
}

/// The bootstrap of one table: B, the confidence, and the inner mixes of
/// the first draws of every resample (they do not depend on the cell).
/// Shared read-only across threads.
pub struct Resampler {
    resamples: u32,
    confidence: f64,
    /// `table[b * width + i] = inner(b, i)`; empty when too large.
    table: Vec<u64>,
    width: usize,
}

impl Resampler {
    pub fn new(resamples: u32, confidence: f64) -> Resampler {
        let b = resamples as usize;
        let (table, width) = if b > 0 && b.saturating_mul(TABLE_WIDTH) <= TABLE_MAX {
            let mut t = Vec::with_capacity(b * TABLE_WIDTH);
            for r in 0..resamples {
                t.extend((0..TABLE_WIDTH as u32).map(|i| inner(r, i)));
            }
            (t, TABLE_WIDTH)
        } else {
            (Vec::new(), 0)
        };
        Resampler {
            resamples,
            confidence,
            table,
            width,
        }
    }

    fn usable(&self, n: u64) -> bool {
        n > 0
            && n <= u64::from(u32::MAX)
            && self.resamples > 0
            && self.confidence > 0.0
            && self.confidence < 1.0
    }

    /// The CI by the method the module doc assigns to the cell's n.
    pub fn mean_ci<const K: usize>(&self, hist: &[u64; K], key: u64) -> Option<(f64, f64)> {
        let n: u64 = hist.iter().sum();
        if n < BLOCKS_FROM {
            self.mean_ci_exact(hist, key)
        } else {
            self.mean_ci_blocks(hist, key)
        }
    }

    /// The CI resampling answer by answer, at any n (O(B n)).
    pub fn mean_ci_exact<const K: usize>(&self, hist: &[u64; K], key: u64) -> Option<(f64, f64)> {
        let n: u64 = hist.iter().sum();
        if !self.usable(n) {
            return None;
        }
        // The answer at position `pos = floor(u n / 2^64)` is 1 + #{k < K:
        // pos >= cum_k}; `pos >= cum_k` iff `u >= ceil(cum_k 2^64 / n)`.
        // A prefix with cum_k = 0 always counts, cum_k = n never does.
        let mut base = n;
        let mut thresholds: Vec<u64> = Vec::with_capacity(K);
        let mut cum = 0u64;
        for &c in hist.iter().take(K.saturating_sub(1)) {
            cum += c;
            if cum == 0 {
                base += n;
            } else if cum < n {
                let t = (u128::from(cum) << 64).div_ceil(u128::from(n));
                thresholds.push(t as u64);
            }
        }
        let sums = match *thresholds.as_slice() {
            [] => vec![base; self.resamples as usize],
            [a] => self.exact_sums(key, n, base, [a]),
            [a, b] => self.exact_sums(key, n, base, [a, b]),
            [a, b, c] => self.exact_sums(key, n, base, [a, b, c]),
            [a, b, c, d] => self.exact_sums(key, n, base, [a, b, c, d]),
            _ => self.exact_sums_any(key, n, base, &thresholds),
        };
        let mut sums = sums;
        Some(ci_from_sums(&mut sums, n, self.confidence))
    }

    /// The inner mixes of draws `0..n` of resample `b`, from the table when
    /// it covers them.
    #[inline]
    fn row(&self, b: u32, n: usize) -> Option<&[u64]> {
        (n <= self.width).then(|| &self.table[b as usize * self.width..][..n])
    }

    /// `S_b = base + sum_i #{t : u_bi >= t}` for every resample, with L
    /// thresholds known at compile time (one pass, no buffer). The count of
    /// a draw is looked up from its top byte when every u with that top
    /// byte has the same count, else compared in full (same counts).
    fn exact_sums<const L: usize>(&self, key: u64, n: u64, base: u64, t: [u64; L]) -> Vec<u64> {
        let count = |u: u64| t.iter().map(|&x| u64::from(u >= x)).sum::<u64>();
        const MIXED: u8 = u8::MAX;
        let lut: [u8; 256] = std::array::from_fn(|h| {
            let (lo, hi) = ((h as u64) << 56, ((h as u64) << 56) | ((1 << 56) - 1));
            let (a, b) = (count(lo), count(hi));
            if a == b { a as u8 } else { MIXED }
        });
        let one = |c: u64| {
            let u = mix(key.wrapping_add(c));
            match lut[(u >> 56) as usize] {
                MIXED => count(u),
                k => u64::from(k),
            }
        };
        (0..self.resamples)
            .map(|b| {
                let hits: u64 = match self.row(b, n as usize) {
                    Some(row) => row.iter().map(|&c| one(c)).sum(),
                    None => (0..n as u32).map(|i| one(inner(b, i))).sum(),
                };
                base + hits
            })
            .collect()
    }

    /// [`Resampler::exact_sums`] for any number of thresholds.
    fn exact_sums_any(&self, key: u64, n: u64, base: u64, t: &[u64]) -> Vec<u64> {
        let count = |u: u64| t.iter().map(|&x| u64::from(u >= x)).sum::<u64>();
        (0..self.resamples)
            .map(|b| base + (0..n as u32).map(|i| count(draw(key, b, i))).sum::<u64>())
            .collect()
    }

    /// The CI from block sums (see the module doc), at any n.
    pub fn mean_ci_blocks<const K: usize>(&self, hist: &[u64; K], key: u64) -> Option<(f64, f64)> {
        let n: u64 = hist.iter().sum();
        if !self.usable(n) {
            return None;
        }
        let (q, m1, e) = plan(n, self.resamples);
        let p: [f64; K] = std::array::from_fn(|k| hist[k] as f64 / n as f64);
        let mut d = Dist::one();
        let mut spare = Dist::one();
        let mut small = None;
        for j in 1..=m1 + u64::from(e > 0) {
            d.add_draw_into(&p, &mut spare);
            std::mem::swap(&mut d, &mut spare);
            if j == m1 {
                small = Some(Inverse::new(&d));
            }
        }
        // m1 >= 1, so `small` is always set; with e > 0 the last `d` is D_{m1+1}.
        let small = small.unwrap_or_else(|| Inverse::new(&d));
        let big = (e > 0).then(|| Inverse::new(&d));
        let big = big.as_ref().unwrap_or(&small);
        let (q, e) = (q as u32, e as u32);
        let mut sums: Vec<u64> = (0..self.resamples)
            .map(|b| {
                let row = &self.table[(b as usize * self.width).min(self.table.len())..]
                    [..self.width.min(q as usize)];
                let mut s = n;
                for j in 0..q {
                    let t = row.get(j as usize).copied().unwrap_or_else(|| inner(b, j));
                    let u = mix(key.wrapping_add(t));
                    s += if j < e {
                        big.sample(u)
                    } else {
                        small.sample(u)
                    };
                }
                s
            })
            .collect();
        Some(ci_from_sums(&mut sums, n, self.confidence))
    }
}

/// Blocks of one cell: `(q, m1, e)`, q blocks of which the first e hold
/// m1 + 1 draws and the others m1.
pub(crate) fn plan(n: u64, resamples: u32) -> (u64, u64, u64) {
    let want = u128::from(resamples) * u128::from(n);
    // Smallest m with 2 m^3 >= B n, by bisection on integers.
    let (mut lo, mut hi) = (1u64, MAX_BLOCK);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if 2 * u128::from(mid).pow(3) >= want {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let m = lo.min(n).max(1);
    let q = n.div_ceil(m);
    (q, n / q, n % q)
}

/// The distribution of a block sum of (answer - 1) values: `mass[i]` is
/// the probability of `lo + i`.
pub(crate) struct Dist {
    pub lo: u64,
    pub mass: Vec<f64>,
}

impl Dist {
    /// The sum of no draws: 0 with certainty.
    pub(crate) fn one() -> Dist {
        Dist {
            lo: 0,
            mass: vec![1.0],
        }
    }

    /// The distribution with one more draw: `D_j[s] = sum_k D_{j-1}[s - k]
    /// p_k`, k ascending, then the ends below `TINY` dropped.
    #[cfg(test)]
    pub(crate) fn add_draw<const K: usize>(&self, p: &[f64; K]) -> Dist {
        let mut out = Dist {
            lo: 0,
            mass: Vec::new(),
        };
        self.add_draw_into(p, &mut out);
        out
    }

    /// [`Dist::add_draw`] into `out`, reusing its buffer.
    fn add_draw_into<const K: usize>(&self, p: &[f64; K], out: &mut Dist) {
        let len = self.mass.len();
        let mass = &mut out.mass;
        mass.clear();
        mass.resize(len + K - 1, 0.0);
        for (k, &pk) in p.iter().enumerate() {
            for (o, &m) in mass[k..k + len].iter_mut().zip(&self.mass) {
                *o += m * pk;
            }
        }
        let first = mass.iter().position(|&x| x >= TINY).unwrap_or(0);
        let last = mass
            .iter()
            .rposition(|&x| x >= TINY)
            .unwrap_or(mass.len() - 1)
            .max(first);
        mass.truncate(last + 1);
        mass.drain(..first);
        out.lo = self.lo + first as u64;
    }
}

/// Inversion of a [`Dist`]: `thresholds[i] = trunc(F[i] 2^64)` for every
/// point but the last, and a guide table: `guide[h]` = how many thresholds
/// are `<= h 2^shift`, where the search for a `u` in bucket `h` starts.
struct Inverse {
    lo: u64,
    thresholds: Vec<u64>,
    guide: Vec<u32>,
    shift: u32,
}

impl Inverse {
    fn new(d: &Dist) -> Inverse {
        let mut f = 0.0f64;
        let mut thresholds = Vec::with_capacity(d.mass.len().saturating_sub(1));
        for &m in &d.mass[..d.mass.len() - 1] {
            f += m;
            thresholds.push((f * TWO64) as u64);
        }
        // 8 to 16 buckets a point: a draw almost always lands in a bucket
        // no threshold splits and takes its point without a comparison that
        // could mispredict (any width gives the same points).
        let bits = (usize::BITS - thresholds.len().leading_zeros()).clamp(1, 15) + 3;
        let shift = 64 - bits;
        let buckets = 1usize << bits;
        // Threshold i counts in every bucket from ceil(t_i / 2^shift) on.
        let mut guide = vec![0u32; buckets];
        let mut h = 0usize;
        for (i, &t) in thresholds.iter().enumerate() {
            let first = ((t >> shift) + u64::from(t & ((1 << shift) - 1) != 0)) as usize;
            let first = first.min(buckets);
            if first > h {
                guide[h..first].fill(i as u32);
                h = first;
            }
        }
        guide[h..].fill(thresholds.len() as u32);
        Inverse {
            lo: d.lo,
            thresholds,
            guide,
            shift,
        }
    }

    /// The smallest point whose threshold exceeds `u`, else the last point.
    #[inline]
    fn sample(&self, u: u64) -> u64 {
        let h = (u >> self.shift) as usize;
        let mut i = self.guide[h] as usize;
        if self
            .guide
            .get(h + 1)
            .is_some_and(|&next| next as usize == i)
        {
            return self.lo + i as u64;
        }
        while i < self.thresholds.len() && self.thresholds[i] <= u {
            i += 1;
        }
        self.lo + i as u64
    }
}

/// The type-7 quantiles of the resample sums at `(1 -/+ confidence) / 2`,
/// divided by n. Reorders `sums`.
fn ci_from_sums(sums: &mut [u64], n: u64, confidence: f64) -> (f64, f64) {
    let len = sums.len();
    let alpha = 1.0 - confidence;
    let (p_lo, p_hi) = (alpha / 2.0, 1.0 - alpha / 2.0);
    let pos = |p: f64| {
        let h = (len - 1) as f64 * p;
        let lo = h.floor();
        (h, lo, lo as usize)
    };
    let (h_lo, f_lo, j_lo) = pos(p_lo);
    let (h_hi, f_hi, j_hi) = pos(p_hi);
    // Order statistics j and j + 1 (clamped to the last) of both quantiles.
    let ranks = [j_lo, (j_lo + 1).min(len - 1), j_hi, (j_hi + 1).min(len - 1)];
    let [x0_lo, x1_lo, x0_hi, x1_hi] = order_statistics(sums, ranks);
    let at = |h: f64, lo: f64, x0: u64, x1: u64| {
        let (x0, x1) = (x0 as f64, x1 as f64);
        (x0 + (h - lo) * (x1 - x0)) / n as f64
    };
    (at(h_lo, f_lo, x0_lo, x1_lo), at(h_hi, f_hi, x0_hi, x1_hi))
}

/// The values at 0-based `ranks` of `values` sorted: by counting when the
/// values span a short range, else by selection (the same values).
pub(crate) fn order_statistics(values: &mut [u64], ranks: [usize; 4]) -> [u64; 4] {
    let mut order = [0usize, 1, 2, 3];
    order.sort_by_key(|&i| ranks[i]);
    let mut out = [0u64; 4];
    let (min, max) = values
        .iter()
        .fold((u64::MAX, 0), |(a, b), &v| (a.min(v), b.max(v)));
    let span = max - min;
    if span < 4 * values.len() as u64 {
        let mut counts = vec![0u32; span as usize + 1];
        for &v in values.iter() {
            counts[(v - min) as usize] += 1;
        }
        let (mut next, mut seen) = (0, 0usize);
        for (i, &c) in counts.iter().enumerate() {
            seen += c as usize;
            while next < 4 && ranks[order[next]] < seen {
                out[order[next]] = min + i as u64;
                next += 1;
            }
            if next == 4 {
                break;
            }
        }
        return out;
    }
    // values[..done] are the `done` smallest, in some order.
    let mut done = 0;
    for &i in &order {
        let (_, &mut v, _) = values[done..].select_nth_unstable(ranks[i] - done);
        out[i] = v;
        done = ranks[i];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Dist, Inverse, mix};

    /// The smallest i with `u < thresholds[i]`, by a plain linear search.
    fn linear(inv: &Inverse, u: u64) -> u64 {
        let i = inv.thresholds.iter().position(|&t| u < t);
        inv.lo + i.unwrap_or(inv.thresholds.len()) as u64
    }

    #[test]
    fn guided_inversion_equals_a_linear_search() {
        let mut state = 3u64;
        for p in [
            [0.03, 0.07, 0.25, 0.35, 0.30],
            [0.5, 0.0, 0.0, 0.0, 0.5],
            [0.0, 0.0, 1.0, 0.0, 0.0],
            [1e-9, 1e-9, 1e-9, 1e-9, 1.0 - 4e-9],
        ] {
            let mut d = Dist::one();
            for draws in 1..=60 {
                let mut next = Dist::one();
                d.add_draw_into(&p, &mut next);
                d = next;
                let inv = Inverse::new(&d);
                // Random draws, every threshold and its neighbours, every
                // bucket edge and the extremes.
                let mut us: Vec<u64> = (0..500)
                    .map(|_| {
                        state = mix(state.wrapping_add(1));
                        state
                    })
                    .collect();
                for &t in &inv.thresholds {
                    us.extend([t.wrapping_sub(1), t, t.wrapping_add(1)]);
                }
                us.extend((0..inv.guide.len() as u64).map(|h| h << inv.shift));
                us.extend([0, u64::MAX]);
                for u in us {
                    assert_eq!(
                        inv.sample(u),
                        linear(&inv, u),
                        "{draws} draws of {p:?}, u = {u}"
                    );
                }
            }
        }
    }
}
