//! Compile-fail tests: each description error, and each width mismatch, with its exact message.
//! Snapshots are made with `TRYBUILD=overwrite cargo test --test ui` and reviewed.

#[test]
fn diagnostics() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
