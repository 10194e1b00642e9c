use super::*;

fn header(scalar: &str) -> Header {
    Header {
        network: "Tiny".into(),
        scalar: scalar.into(),
        layers: vec![LayerHeader {
            kind: crate::LayerKind::Dense,
            name: "dense1".into(),
            shape: [2, 1],
        }],
        preprocessing: None,
    }
}

fn binary_f32(values: [f32; 4]) -> Vec<u8> {
    binary::encode(&header("f32"), 16, |out| {
        values.iter().for_each(|v| out.extend(v.to_le_bytes()))
    })
}

#[test]
fn both_formats_decode_to_the_same_values_bit_for_bit() {
    let values = [0.1f32, -2.5e-8, 3.0, f32::MIN_POSITIVE];
    let from_binary = decode(&binary_f32(values)).unwrap();
    assert_eq!(from_binary.values, Values::F32(values.to_vec()));
    assert_eq!(from_binary.header, header("f32"));

    let document = json::Document::new(
        header("f32"),
        [vec![values[..2].to_vec(), values[2..].to_vec()]],
    );
    let text = serde_json::to_string(&document).unwrap();
    let from_json = decode(text.as_bytes()).unwrap();
    assert_eq!(from_json, from_binary);
    let file = binary_f32(values);
    let stored = &file[file.len() - 4 - 16..file.len() - 4];
    assert_eq!(from_json.values.to_le_bytes(), stored);
}

#[test]
fn f64_values_keep_their_precision() {
    let values = [0.1f64, 1.0 / 3.0, -7.0, 1e-300];
    let bytes = binary::encode(&header("f64"), 32, |out| {
        values.iter().for_each(|v| out.extend(v.to_le_bytes()))
    });
    assert_eq!(decode(&bytes).unwrap().values, Values::F64(values.to_vec()));
    let document = json::Document::new(
        header("f64"),
        [vec![values[..2].to_vec(), values[2..].to_vec()]],
    );
    let text = serde_json::to_string(&document).unwrap();
    assert_eq!(
        decode(text.as_bytes()).unwrap().values,
        Values::F64(values.to_vec())
    );
}

#[test]
fn bad_files_are_errors_in_words() {
    let mut corrupt = binary_f32([1.0; 4]);
    let at = corrupt.len() - 6;
    corrupt[at] ^= 1;
    let error = decode(&corrupt).unwrap_err().to_string();
    assert!(
        error.starts_with("the file is corrupt: checksum mismatch"),
        "{error}"
    );

    let error = decode(&binary_f32([1.0, f32::NAN, 0.0, 0.0]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "value 1 of the weight of layer `dense1` is NaN, expected a finite number"
    );

    let short = json::Document::new(header("f32"), [vec![vec![1.0f32], vec![0.0, 0.0]]]);
    let error = decode(serde_json::to_string(&short).unwrap().as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "layer `dense1` has 1 weight values in the file, expected 2"
    );

    let error = decode(&[0xff, 0xfe, 0x00]).unwrap_err().to_string();
    assert!(
        error.contains("neither an nn binary model nor UTF-8"),
        "{error}"
    );
    assert!(matches!(decode(b"{"), Err(ModelError::Syntax { .. })));
    assert!(matches!(decode(b""), Err(ModelError::Syntax { .. })));
}

#[test]
fn a_preprocessing_section_is_left_out_of_the_decoded_values() {
    let section = Preprocessing {
        inputs: Some(preprocessing::Scaling {
            mean: vec![10.0f32],
            std: vec![2.0],
        }),
        classes: Some(vec!["low".into(), "high".into()]),
        ..Preprocessing::new()
    };
    let mut with_section = header("f32");
    with_section.preprocessing = Some(section.header());
    let values = [0.5f32, -1.0, 2.0, 0.25];
    let bytes = binary::encode(&with_section, 24, |out| {
        values
            .iter()
            .chain(&section.values())
            .for_each(|v| out.extend(v.to_le_bytes()))
    });
    let file = decode(&bytes).unwrap();
    assert_eq!(file.values, Values::F32(values.to_vec()));
    assert_eq!(file.header, with_section);

    let mut document = json::Document::new(
        header("f32"),
        [vec![values[..2].to_vec(), values[2..].to_vec()]],
    );
    document.preprocessing = Some(section);
    let text = serde_json::to_string(&document).unwrap();
    assert!(
        text.contains(r#""preprocessing":{"version":1,"inputs":{"mean":[10.0],"std":[2.0]},"classes":["low","high"]},"layers""#),
        "{text}"
    );
    assert_eq!(decode(text.as_bytes()).unwrap(), file);
}
