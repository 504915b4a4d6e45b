//! The synthetic members register both the benchmark and the 20,000-row import test import
//! (`tests/it/scale.rs` includes this file): one row per member, the three first sample
//! categories in turn, admissions spread over eight years from 2017.

/// A members register of `rows` rows, as a secretary's spreadsheet saved as CSV.
pub fn register(rows: usize) -> String {
    let categories = ["employees", "beneficiaries", "volunteers"];
    let mut csv = String::from("name,category,shares,admitted,email\n");
    for i in 0..rows {
        let year = 2017 + i * 8 / rows.max(1);
        csv.push_str(&format!(
            "Membre {i} Nom{},{},{},{year}-{:02}-{:02},m{i}@example.org\n",
            i % 977,
            categories[i % 3],
            1 + i % 3,
            1 + i % 12,
            1 + i % 28
        ));
    }
    csv
}
