//! The five reports of docs/ANALYTICS.md: their names and files, the tables they produce, and how
//! they are computed (one pass over the posts, all reports at once, see [`partial`]).

pub mod finish;
pub mod packed;
pub mod partial;
pub mod words;

use std::time::Duration;

/// One of the five reports, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Report {
    Daily,
    TopUsers,
    LengthHist,
    TopWords,
    Heatmap,
}

impl Report {
    pub const ALL: [Report; 5] = [
        Report::Daily,
        Report::TopUsers,
        Report::LengthHist,
        Report::TopWords,
        Report::Heatmap,
    ];

    /// The file name without extension, e.g. `r1_daily`.
    pub fn file_stem(self) -> &'static str {
        match self {
            Report::Daily => "r1_daily",
            Report::TopUsers => "r2_top_users",
            Report::LengthHist => "r3_length_hist",
            Report::TopWords => "r4_top_words",
            Report::Heatmap => "r5_heatmap",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Report::Daily => "R1 Posts and authors per day",
            Report::TopUsers => "R2 Top 20 users",
            Report::LengthHist => "R3 Body length in words",
            Report::TopWords => "R4 Top 100 words",
            Report::Heatmap => "R5 Posts by weekday and hour (UTC)",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A column of a report table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Int(Vec<i64>),
    /// Days since 1970-01-01, rendered `YYYY-MM-DD`.
    Date(Vec<i64>),
    Text(Vec<String>),
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Int(v) | Column::Date(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A finished report: named columns of equal length, rows in the report's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub report: Report,
    pub columns: Vec<(&'static str, Column)>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c)
    }
}

/// What a run did: rows scanned and where the time went.
#[derive(Debug, Clone, Default)]
pub struct RunFigures {
    pub rows: u64,
    pub partitions: usize,
    pub threads: usize,
    pub source: String,
    /// Wall time of the whole scan-and-aggregate pass.
    pub scan_wall: Duration,
    /// CPU time spent in each report's own work, summed over partitions, indexed by
    /// [`Report::index`]. R3 and R4 share one tokenizer pass over the body, counted in R4.
    pub report_cpu: [Duration; 5],
    /// Time reading and decoding batches from the source, summed over partitions.
    pub read_cpu: Duration,
    /// Wall time merging partitions and finishing each report.
    pub finish: [Duration; 5],
}
