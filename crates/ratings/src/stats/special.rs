//! Special functions: log-gamma, regularized incomplete gamma, and the
//! upper tails of the chi-square and standard normal distributions.
//!
//! Implemented here (no numerics crate) after Numerical Recipes, 3rd ed.,
//! section 6.1-6.2: Lanczos log-gamma (g = 671/128, 14 terms, relative
//! error < 1e-15), the series of P(a, x) for x < a + 1 and the modified
//! Lentz continued fraction of Q(a, x) otherwise, each iterated to machine
//! precision. Agreement with scipy is tested to 1e-12 and better.

const EPS: f64 = 1e-16;
const FPMIN: f64 = f64::MIN_POSITIVE / EPS;
const MAX_ITER: usize = 10_000;

/// ln Gamma(x) for x > 0; None otherwise.
pub fn ln_gamma(x: f64) -> Option<f64> {
    const COF: [f64; 14] = [
        57.156_235_665_862_92,
        -59.597_960_355_475_49,
        14.136_097_974_741_746,
        -0.491_913_816_097_620_2,
        3.399_464_998_481_189e-5,
        4.652_362_892_704_858e-5,
        -9.837_447_530_487_956e-5,
        1.580_887_032_249_125e-4,
        -2.102_644_417_241_048_8e-4,
        2.174_396_181_152_126_5e-4,
        -1.643_181_065_367_639e-4,
        8.441_822_398_385_275e-5,
        -2.619_083_840_158_140_8e-5,
        3.689_918_265_953_162_5e-6,
    ];
    if !(x > 0.0) || !x.is_finite() {
        return None;
    }
    let mut y = x;
    let tmp = x + 5.242_187_5;
    let tmp = (x + 0.5) * tmp.ln() - tmp;
    let mut ser = 0.999_999_999_999_997_1;
    for c in COF {
        y += 1.0;
        ser += c / y;
    }
    Some(tmp + (2.506_628_274_631_000_5 * ser / x).ln())
}

/// P(a, x) by its series; valid for x < a + 1.
fn p_series(a: f64, x: f64, gln: f64) -> f64 {
    let mut ap = a;
    let mut del = 1.0 / a;
    let mut sum = del;
    for _ in 0..MAX_ITER {
        ap += 1.0;
        del *= x / ap;
        sum += del;
        if del.abs() < sum.abs() * EPS {
            break;
        }
    }
    sum * (-x + a * x.ln() - gln).exp()
}

/// Q(a, x) by its continued fraction (modified Lentz); valid for x >= a + 1.
fn q_fraction(a: f64, x: f64, gln: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / FPMIN;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_ITER {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = b + an / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= EPS {
            break;
        }
    }
    (-x + a * x.ln() - gln).exp() * h
}

/// Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a),
/// for a > 0; Q(a, x <= 0) = 1. None for a <= 0 or non-finite input.
pub fn gamma_q(a: f64, x: f64) -> Option<f64> {
    if !(a > 0.0) || !a.is_finite() || x.is_nan() {
        return None;
    }
    if x <= 0.0 {
        return Some(1.0);
    }
    if x == f64::INFINITY {
        return Some(0.0);
    }
    let gln = ln_gamma(a)?;
    Some(if x < a + 1.0 {
        1.0 - p_series(a, x, gln)
    } else {
        q_fraction(a, x, gln)
    })
}

/// Upper tail of the chi-square distribution with `df` degrees of freedom
/// (scipy.stats.chi2.sf): Q(df / 2, x / 2).
pub fn chi2_sf(x: f64, df: f64) -> Option<f64> {
    gamma_q(df / 2.0, x / 2.0)
}

/// Upper tail of the standard normal (scipy.stats.norm.sf):
/// `erfc(z / sqrt 2) / 2`, with `erfc(t) = Q(1/2, t^2)` for t >= 0.
pub fn norm_sf(z: f64) -> Option<f64> {
    if z.is_nan() {
        return None;
    }
    let half_tail = 0.5 * gamma_q(0.5, z * z / 2.0)?;
    Some(if z >= 0.0 { half_tail } else { 1.0 - half_tail })
}
