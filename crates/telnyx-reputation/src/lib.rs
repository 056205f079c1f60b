//! telnyx-reputation
