//! Applying a [`SyncPlan`]: the associations through the bulk engine (all or nothing, or best
//! effort, as the options say; journalled when they name a journal), then, only when every
//! association succeeded, the extras disassociated when pruning. Disassociations are free and
//! idempotent; they are never rolled back, and a sync interrupted among them is finished by
//! planning and applying again.

use telnyx_e164::UsLocalNumber;

use super::SyncPlan;
use crate::bulk::{BulkError, BulkOptions, Outcome, Report};
use crate::client::{Client, Scope};
use crate::error::Error;

/// What applying a plan did.
#[derive(Debug)]
pub struct SyncOutcome {
    /// The bulk job's report of the associations; `None` when the plan had none to make.
    pub associations: Option<Report>,
    /// The extras disassociated (pruning only).
    pub disassociated: Vec<UsLocalNumber>,
    /// Whether the enterprise now holds what the plan aimed at: every association made (or
    /// none needed) and, when pruning, every extra disassociated.
    pub converged: bool,
}

/// Why applying a plan stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The bulk job of the associations could not keep its journal.
    #[error(transparent)]
    Bulk(#[from] BulkError),
    /// A disassociation failed after retries; the numbers before it are disassociated, and
    /// planning again picks up the rest.
    #[error("disassociating {number}: {source}")]
    Disassociate {
        /// The number being disassociated.
        number: UsLocalNumber,
        /// What failed.
        #[source]
        source: Error,
        /// The extras disassociated before it.
        done: Vec<UsLocalNumber>,
    },
}

impl SyncPlan {
    /// Applies the plan with `client`: associations first, through the bulk engine with
    /// `options`; then, only when they all succeeded (outcome completed) and the plan prunes,
    /// the extras are disassociated one by one. Conflicts are never sent.
    pub async fn apply(
        &self,
        client: &Client,
        options: BulkOptions,
    ) -> Result<SyncOutcome, SyncError> {
        let associations = if self.associate.is_empty() {
            None
        } else {
            let inputs = self.associate.iter().map(|n| n.to_string());
            Some(
                client
                    .associate_all(self.enterprise, inputs, options)
                    .await?,
            )
        };
        let associated = associations
            .as_ref()
            .is_none_or(|r| r.outcome == Outcome::Completed);
        let mut disassociated = Vec::new();
        if associated {
            for number in self.disassociate() {
                if let Err(source) = client
                    .disassociate(Scope::Enterprise(self.enterprise), number.as_e164())
                    .await
                {
                    return Err(SyncError::Disassociate {
                        number: *number,
                        source,
                        done: disassociated,
                    });
                }
                disassociated.push(*number);
            }
        }
        Ok(SyncOutcome {
            associations,
            disassociated,
            converged: associated,
        })
    }
}
