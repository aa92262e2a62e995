//! Categorical (dictionary-encoded) columns in the published Parquet tables:
//! a dictionary may hold values no row uses (a withdrawn participant's row
//! hash, a raw record id before pseudonymisation). Only the rows' values may
//! ever reach a file.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int32Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use model::column::{category, recoded, text};

#[test]
fn parquet_holds_only_the_values_rows_use() {
    let planted = "S01-07 Jane Planted";
    let keys = Int32Array::from(vec![0, 2, 0]);
    let dictionary = StringArray::from(vec!["Site A", planted, "Site B"]);
    let column: ArrayRef = recoded(keys, dictionary).unwrap();
    let schema = Arc::new(Schema::new(vec![category("site")]));
    let batch = RecordBatch::try_new(schema, vec![column]).unwrap();
    let bytes = pipeline::tables::to_parquet(&batch).unwrap();
    assert!(
        !bytes
            .windows(planted.len())
            .any(|w| w == planted.as_bytes()),
        "an unused dictionary value was written to Parquet"
    );
    let back = pipeline::tables::from_parquet(bytes).unwrap();
    assert_eq!(
        back.schema(),
        batch.schema(),
        "read back as a categorical column"
    );
    let site = text(&back, "site").unwrap();
    assert_eq!(
        site.iter().collect::<Vec<_>>(),
        vec![Some("Site A"), Some("Site B"), Some("Site A")]
    );
    assert_eq!(back.column(0).len(), 3);
}

#[test]
fn plain_and_categorical_columns_write_the_same_csv() {
    let values = vec![Some("Site A"), None, Some("Site, B")];
    let plain = Arc::new(Schema::new(vec![Field::new(
        "site",
        arrow_schema::DataType::Utf8,
        true,
    )]));
    let p = RecordBatch::try_new(
        plain,
        vec![Arc::new(StringArray::from(values.clone())) as ArrayRef],
    )
    .unwrap();
    let coded = Arc::new(Schema::new(vec![Field::new(
        "site",
        model::column::category_type(),
        true,
    )]));
    let c = RecordBatch::try_new(coded, vec![model::column::categories(values)]).unwrap();
    assert_eq!(pipeline::tables::to_csv(&c), pipeline::tables::to_csv(&p));
    assert_eq!(
        pipeline::tables::to_csv(&c),
        "site\nSite A\n\n\"Site, B\"\n"
    );
}
