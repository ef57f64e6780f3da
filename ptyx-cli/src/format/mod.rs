//! Recording formats: each one plain data, a writer and a reader, with its tests beside it.
