//! Tests of the document API on realistic client files.
