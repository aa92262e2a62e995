//! Writing the demo study's files: each to a temporary name of its own, then
//! renamed into place.

#[test]
fn write_tree_writes_files_that_differ_only_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let root = camino::Utf8Path::from_path(dir.path()).unwrap();
    let files: [(&str, &[u8]); 3] = [
        ("workshops/S01.md", b"notes"),
        ("workshops/S01.csv", b"figure_id,verdict,comment\n"),
        ("workshops/S01", b"no extension"),
    ];
    pipeline::write_tree(root, files.iter().copied()).unwrap();
    for (rel, bytes) in files {
        assert_eq!(std::fs::read(root.join(rel)).unwrap(), bytes, "{rel}");
    }
    let mut left: Vec<String> = std::fs::read_dir(root.join("workshops"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["S01", "S01.csv", "S01.md"], "no temporary file left");
}
