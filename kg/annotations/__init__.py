"""The annotated corpus: article metadata, reference data and annotation files — their format,
loading with line numbers, quote resolution, validation, coverage and suggestions."""
