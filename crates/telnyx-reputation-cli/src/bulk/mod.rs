//! What the commands that run bulk jobs share (`associate`, `refresh`, `remediation submit`,
//! `sync`, `resume`, `rollback`): the job report and how a job's command ends.

pub mod job_report;
