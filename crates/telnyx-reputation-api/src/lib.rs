//! telnyx-reputation-api
