//! Integration tests of the Merkle log: the tree against a direct reading of RFC 9162, proofs for
//! every index and size pair in a range, tampering, and signed heads.

mod heads;
mod proofs;
