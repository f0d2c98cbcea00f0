//! The streaming reader shared by every bulk load (`COPY … FROM STDIN`, the HTTP NDJSON
//! endpoint, `docfusiondb load`): bytes go in as they arrive, in chunks cut anywhere (a line
//! or a CSV record may span chunks), and documents come out one by one with their line
//! numbers, borrowed from the chunk where possible. Memory holds at most one unfinished
//! line, never the whole input.

use crate::error::{SqlError, sqlstate};
use crate::load::document::{CHARACTER_NOT_IN_REPERTOIRE, Doc, at_line, read_document};

/// The longest line (one document) accepted: Postgres' own limit for a jsonb value is
/// about 255 MB; a line this long is far more likely a file without line breaks.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// SQLSTATE `22P04` bad_copy_file_format.
pub const BAD_COPY_FILE_FORMAT: &str = "22P04";

/// How the input is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// One JSON document per line (blank lines are skipped).
    Ndjson,
    /// CSV records with the document (and optionally its id) as columns.
    Csv(CsvOptions),
}

/// CSV settings, as Postgres' `COPY … (FORMAT csv)` names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Field separator (`,`).
    pub delimiter: u8,
    /// Quote character (`"`).
    pub quote: u8,
    /// Escape character inside quotes (the quote character: `""`).
    pub escape: u8,
    /// The first record is a header and is skipped.
    pub header: bool,
    /// The text of a NULL field (the empty string).
    pub null: String,
    /// Number of columns of each record.
    pub columns: usize,
    /// Position of the `id` column, if any.
    pub id_column: Option<usize>,
    /// Position of the `doc` column.
    pub doc_column: usize,
}

impl CsvOptions {
    /// Postgres' CSV defaults for the columns `(id, doc)` or `(doc)`.
    pub fn new(with_id: bool) -> CsvOptions {
        CsvOptions {
            delimiter: b',',
            quote: b'"',
            escape: b'"',
            header: false,
            null: String::new(),
            columns: if with_id { 2 } else { 1 },
            id_column: with_id.then_some(0),
            doc_column: usize::from(with_id),
        }
    }
}

/// The CSV parser's state across chunks.
struct CsvState {
    options: CsvOptions,
    parser: csv_core::Reader,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// Line (of the parser's count) where the record being read started.
    record_line: u64,
    header_pending: bool,
}

/// The streaming reader (see the module documentation).
pub struct DocReader {
    id_field: String,
    /// Number of the input's first line.
    first_line: u64,
    /// Lines completed so far (NDJSON).
    lines: u64,
    /// The unfinished line (NDJSON).
    carry: Vec<u8>,
    csv: Option<Box<CsvState>>,
    /// The end-of-data marker `\.` was seen: the rest is ignored.
    ended: bool,
}

/// What the reader hands its caller for every line: the line number and the document or
/// the reason it is bad (the message names the line). The caller returns an error to stop.
pub type OnDoc<'f> = dyn FnMut(u64, Result<Doc<'_>, SqlError>) -> Result<(), SqlError> + 'f;

impl DocReader {
    /// A reader of `format`; documents take their ids from `id_field` (NDJSON, and CSV
    /// without an id column); the input's first line is numbered `first_line`.
    pub fn new(format: Format, id_field: &str, first_line: u64) -> DocReader {
        let csv = match format {
            Format::Ndjson => None,
            Format::Csv(options) => {
                let mut builder = csv_core::ReaderBuilder::new();
                builder.delimiter(options.delimiter).quote(options.quote);
                if options.escape != options.quote {
                    builder.escape(Some(options.escape)).double_quote(false);
                }
                Some(Box::new(CsvState {
                    parser: builder.build(),
                    header_pending: options.header,
                    options,
                    out: vec![0; 64 * 1024],
                    out_len: 0,
                    ends: vec![0; 8],
                    ends_len: 0,
                    record_line: 1,
                }))
            }
        };
        DocReader {
            id_field: id_field.to_string(),
            first_line,
            lines: 0,
            carry: Vec::new(),
            csv,
            ended: false,
        }
    }

    /// The number of the last line read completely.
    pub fn last_line(&self) -> u64 {
        match &self.csv {
            Some(c) => self.first_line + c.record_line.saturating_sub(2),
            None => self.first_line + self.lines - 1,
        }
    }

    /// Reads `chunk`, calling `on_doc` for every complete line in it.
    pub fn push(&mut self, chunk: &[u8], on_doc: &mut OnDoc<'_>) -> Result<(), SqlError> {
        if self.ended {
            return Ok(());
        }
        if self.csv.is_some() {
            return self.push_csv(chunk, false, on_doc);
        }
        let mut rest = chunk;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let line_no = self.first_line + self.lines;
            self.lines += 1;
            if self.carry.is_empty() {
                self.ndjson_line(line_no, &rest[..nl], on_doc)?;
            } else {
                let mut line = std::mem::take(&mut self.carry);
                line.extend_from_slice(&rest[..nl]);
                let r = self.ndjson_line(line_no, &line, on_doc);
                line.clear();
                self.carry = line;
                r?;
            }
            rest = &rest[nl + 1..];
            if self.ended {
                return Ok(());
            }
        }
        if self.carry.len() + rest.len() > MAX_LINE_BYTES {
            return Err(SqlError::new(
                sqlstate::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "line {} is longer than {} MiB: is the input one document per line?",
                    self.first_line + self.lines,
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        self.carry.extend_from_slice(rest);
        Ok(())
    }

    /// Reads what is left once the input has ended (a last line without a line break).
    pub fn finish(&mut self, on_doc: &mut OnDoc<'_>) -> Result<(), SqlError> {
        if self.ended {
            return Ok(());
        }
        if self.csv.is_some() {
            return self.push_csv(&[], true, on_doc);
        }
        if !self.carry.is_empty() {
            let line = std::mem::take(&mut self.carry);
            let line_no = self.first_line + self.lines;
            self.lines += 1;
            self.ndjson_line(line_no, &line, on_doc)?;
        }
        Ok(())
    }

    fn ndjson_line(
        &mut self,
        line_no: u64,
        bytes: &[u8],
        on_doc: &mut OnDoc<'_>,
    ) -> Result<(), SqlError> {
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        if bytes == b"\\." {
            self.ended = true;
            return Ok(());
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let bytes = if line_no == self.first_line && self.first_line == 1 {
            bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
        } else {
            bytes
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => on_doc(
                line_no,
                read_document(text, &self.id_field).map_err(|e| at_line(e, line_no)),
            ),
            Err(e) => on_doc(line_no, Err(not_utf8(line_no, e))),
        }
    }

    fn push_csv(
        &mut self,
        mut input: &[u8],
        at_end: bool,
        on_doc: &mut OnDoc<'_>,
    ) -> Result<(), SqlError> {
        let Some(csv) = self.csv.as_mut() else {
            return Ok(());
        };
        loop {
            let (result, nin, nout, nends) = csv.parser.read_record(
                input,
                &mut csv.out[csv.out_len..],
                &mut csv.ends[csv.ends_len..],
            );
            input = &input[nin..];
            csv.out_len += nout;
            csv.ends_len += nends;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {
                    if !at_end {
                        if csv.out_len > MAX_LINE_BYTES {
                            return Err(SqlError::new(
                                sqlstate::PROGRAM_LIMIT_EXCEEDED,
                                format!(
                                    "the CSV record at line {} is longer than {} MiB",
                                    self.first_line + csv.record_line - 1,
                                    MAX_LINE_BYTES >> 20
                                ),
                            ));
                        }
                        return Ok(());
                    }
                }
                csv_core::ReadRecordResult::OutputFull => {
                    let len = csv.out.len() * 2;
                    csv.out.resize(len, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let len = csv.ends.len() * 2;
                    csv.ends.resize(len, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    let line_no = self.first_line + csv.record_line - 1;
                    csv.record_line = csv.parser.line();
                    let ends_len = csv.ends_len;
                    csv.out_len = 0;
                    csv.ends_len = 0;
                    if std::mem::take(&mut csv.header_pending) {
                        continue;
                    }
                    let fields: Vec<&[u8]> = (0..ends_len)
                        .map(|i| {
                            let start = if i == 0 { 0 } else { csv.ends[i - 1] };
                            &csv.out[start..csv.ends[i]]
                        })
                        .collect();
                    if fields.len() == 1 && fields[0] == b"\\." {
                        self.ended = true;
                        return Ok(());
                    }
                    on_doc(
                        line_no,
                        csv_document(&csv.options, &fields, &self.id_field, line_no),
                    )?;
                }
                csv_core::ReadRecordResult::End => return Ok(()),
            }
        }
    }
}

/// The document of one CSV record.
fn csv_document<'a>(
    options: &CsvOptions,
    fields: &[&'a [u8]],
    id_field: &str,
    line_no: u64,
) -> Result<Doc<'a>, SqlError> {
    let at = |message: String| format!("line {line_no}: {message}");
    if fields.len() != options.columns {
        let message = if fields.len() > options.columns {
            "extra data after last expected column".to_string()
        } else {
            format!(
                "missing data: expected {} columns, found {}",
                options.columns,
                fields.len()
            )
        };
        return Err(SqlError::new(BAD_COPY_FILE_FORMAT, at(message)));
    }
    let null = options.null.as_bytes();
    let text_of = |i: usize, column: &str| -> Result<&'a str, SqlError> {
        let bytes = fields[i];
        if bytes == null {
            return Err(SqlError::new(
                "23502",
                at(format!("the {column} column is null")),
            ));
        }
        std::str::from_utf8(bytes).map_err(|e| not_utf8(line_no, e))
    };
    let doc_text = text_of(options.doc_column, "doc")?;
    let doc = read_document(doc_text, id_field).map_err(|e| {
        let e = at_line(e, line_no);
        SqlError {
            message: e.message.replacen(
                &format!("line {line_no}"),
                &format!("line {line_no}, column doc"),
                1,
            ),
            ..e
        }
    })?;
    match options.id_column {
        None => Ok(doc),
        Some(i) => Ok(Doc {
            id: text_of(i, "id")?.to_string(),
            text: doc.text,
            inject: None,
        }),
    }
}

fn not_utf8(line_no: u64, e: std::str::Utf8Error) -> SqlError {
    SqlError::new(
        CHARACTER_NOT_IN_REPERTOIRE,
        format!(
            "line {line_no}: invalid byte sequence for encoding \"UTF8\" at byte {}",
            e.valid_up_to() + 1
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One line as read: (line, id, text), or (line, SQLSTATE, message).
    type Read = Result<(u64, String, String), (u64, String, String)>;

    /// Everything `reader` reads from `chunks`.
    fn read_all(mut reader: DocReader, chunks: &[&[u8]]) -> Vec<Read> {
        let mut out = Vec::new();
        let mut on = |line: u64, doc: Result<Doc<'_>, SqlError>| {
            out.push(match doc {
                Ok(d) => Ok((line, d.id.clone(), d.to_text())),
                Err(e) => Err((line, e.code.to_string(), e.message)),
            });
            Ok(())
        };
        for c in chunks {
            reader.push(c, &mut on).unwrap();
        }
        reader.finish(&mut on).unwrap();
        out
    }

    #[test]
    fn lines_may_span_chunks_and_every_cut_gives_the_same_documents() {
        let input = "{\"id\": \"a\", \"s\": \"x\\ny\"}\r\n\n  \n{\"id\": 2}\n[1]\n{\"id\": \"é\"}";
        let whole = read_all(DocReader::new(Format::Ndjson, "id", 1), &[input.as_bytes()]);
        assert_eq!(
            whole,
            vec![
                Ok((1, "a".into(), "{\"id\": \"a\", \"s\": \"x\\ny\"}".into())),
                Ok((4, "2".into(), "{\"id\": 2}".into())),
                Err((
                    5,
                    "22023".into(),
                    "line 5: a document must be a JSON object, not array".into()
                )),
                Ok((6, "é".into(), "{\"id\": \"é\"}".into())),
            ]
        );
        // Cut at every byte (also inside the two-byte é).
        let bytes = input.as_bytes();
        for cut in 0..=bytes.len() {
            let got = read_all(
                DocReader::new(Format::Ndjson, "id", 1),
                &[&bytes[..cut], &bytes[cut..]],
            );
            assert_eq!(got, whole, "cut at {cut}");
        }
        // One byte at a time.
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(
            read_all(DocReader::new(Format::Ndjson, "id", 1), &singles),
            whole
        );
    }

    #[test]
    fn the_end_marker_stops_reading_and_first_line_offsets_numbers() {
        let got = read_all(
            DocReader::new(Format::Ndjson, "id", 101),
            &[b"{\"id\": 1}\n\\.\n{\"id\": oops}\n"],
        );
        assert_eq!(got, vec![Ok((101, "1".into(), "{\"id\": 1}".into()))]);
        let got = read_all(
            DocReader::new(Format::Ndjson, "id", 7),
            &[b"{}\n{\"a\": \xff}\n"],
        );
        assert_eq!(got[1].clone().unwrap_err().0, 8);
        assert_eq!(got[1].clone().unwrap_err().1, "22021");
    }

    #[test]
    fn csv_records_with_id_and_doc_columns() {
        let mut options = CsvOptions::new(true);
        options.header = true;
        let input = "id,doc\n\
                     k1,\"{\"\"a\"\": 1}\"\n\
                     k2,\"{\"\"s\"\": 1,\n\"\"t\"\": 2}\"\n\
                     ,\"{}\"\n\
                     k4,\"{\"\"a\"\": }\"\n\
                     k5\n";
        let got = read_all(
            DocReader::new(Format::Csv(options), "id", 1),
            &[input.as_bytes()],
        );
        assert_eq!(got[0], Ok((2, "k1".into(), "{\"a\": 1}".into())));
        assert_eq!(got[1], Ok((3, "k2".into(), "{\"s\": 1,\n\"t\": 2}".into())));
        assert_eq!(got[2].clone().unwrap_err().1, "23502");
        assert_eq!(got[2].clone().unwrap_err().0, 5);
        let bad_json = got[3].clone().unwrap_err();
        assert_eq!(bad_json.1, "22P02");
        assert!(
            bad_json.2.starts_with("line 6, column doc"),
            "{}",
            bad_json.2
        );
        assert_eq!(got[4].clone().unwrap_err().1, BAD_COPY_FILE_FORMAT);
        assert_eq!(got.len(), 5);
        // Any cut gives the same.
        let bytes = input.as_bytes();
        for cut in 0..=bytes.len() {
            let mut options = CsvOptions::new(true);
            options.header = true;
            let again = read_all(
                DocReader::new(Format::Csv(options), "id", 1),
                &[&bytes[..cut], &bytes[cut..]],
            );
            assert_eq!(again, got, "cut at {cut}");
        }
    }

    #[test]
    fn csv_doc_only_takes_ids_from_the_document() {
        let got = read_all(
            DocReader::new(Format::Csv(CsvOptions::new(false)), "id", 1),
            &[b"\"{\"\"id\"\": \"\"x\"\"}\"\n\\.\nignored\n"],
        );
        assert_eq!(got, vec![Ok((1, "x".into(), "{\"id\": \"x\"}".into()))]);
    }
}
