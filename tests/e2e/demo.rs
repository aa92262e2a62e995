//! The committed demo study is exactly what `crosscase demo` writes.

use super::*;

#[test]
fn demo_study_regenerates_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let output = crosscase(&["demo", "--out", out.to_str().unwrap()]);
    assert_ok(&output);
    let generated = tree(&out);
    let committed = tree(&demo_study());
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&generated), names(&committed), "the demo study's file list changed: run `just demo`");
    for ((name, a), (_, b)) in generated.iter().zip(&committed) {
        assert!(a == b, "{name} differs from what `crosscase demo` writes: run `just demo` and review");
    }
}
