//! anonymise
