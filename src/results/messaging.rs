//! The messaging result file (`cryptobench run --workload messaging --output`):
//! per backend and task, the rates at each thread count and the share of time
//! per primitive (see `measure::messaging` for the workload itself).

use serde::{Deserialize, Serialize};

use super::Header;
use crate::stats::Summary;

/// The three things a messenger does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    X3dh,
    Pqxdh,
    Message,
}

impl Task {
    pub const ALL: [Task; 3] = [Task::X3dh, Task::Pqxdh, Task::Message];

    pub fn name(self) -> &'static str {
        match self {
            Task::X3dh => "X3DH handshake",
            Task::Pqxdh => "PQXDH handshake",
            Task::Message => "message",
        }
    }

    /// What its rate counts.
    pub fn unit(self) -> &'static str {
        if self == Task::Message {
            "messages/s"
        } else {
            "handshakes/s"
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MessagingSettings {
    pub aead: String,
    pub kem: String,
    /// (bytes, weight) of the message sizes.
    pub message_mix: Vec<(usize, u32)>,
    pub mean_message_bytes: f64,
    pub threads: Vec<usize>,
    pub duration_ms: u64,
    pub rounds: usize,
    pub seed: u64,
    pub kdf: String,
    /// Messages per turn (one DH ratchet step per turn). Absent in files
    /// written before it: those took one X25519 agreement per message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_per_turn: Option<usize>,
    /// The model paragraph as printed. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// A task's rate at one thread count.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rate {
    pub threads: usize,
    /// Aggregate operations (handshakes or messages) per second, all threads.
    pub ops_per_sec: Summary,
    pub per_thread_ops_per_sec: f64,
    pub samples: Vec<f64>,
}

/// One backend × task.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaskRates {
    pub backend: String,
    pub backend_version: String,
    pub task: Task,
    pub rates: Vec<Rate>,
    /// Share of the time per primitive (names from `measure::messaging::PRIMITIVES`), single-threaded.
    pub shares: Vec<(String, f64)>,
}

/// Why a backend × task was not measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaskSkipped {
    pub backend: String,
    pub task: Task,
    pub reason: String,
    /// A failed check (correctness before timing, or an error while timed),
    /// as opposed to a capability the backend lacks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub failed: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MessagingFile {
    #[serde(flatten)]
    pub header: Header,
    pub settings: MessagingSettings,
    pub rows: Vec<TaskRates>,
    pub skipped: Vec<TaskSkipped>,
}
