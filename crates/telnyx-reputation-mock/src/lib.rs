//! telnyx-reputation-mock
