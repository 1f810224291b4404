//! The SM4 block cipher (GB/T 32907-2016). Higher-level modes (SM4-GCM for sealed bids) build on it.

use sm4::Sm4;
use sm4::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

/// Encrypts one 16-byte block with a 16-byte key.
pub fn sm4_encrypt_block(key: &[u8; 16], block: &[u8; 16]) -> [u8; 16] {
    let cipher = Sm4::new(key.into());
    let mut buffer = (*block).into();
    cipher.encrypt_block(&mut buffer);
    buffer.into()
}

/// Decrypts one 16-byte block with a 16-byte key.
pub fn sm4_decrypt_block(key: &[u8; 16], block: &[u8; 16]) -> [u8; 16] {
    let cipher = Sm4::new(key.into());
    let mut buffer = (*block).into();
    cipher.decrypt_block(&mut buffer);
    buffer.into()
}
