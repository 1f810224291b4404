-- Digital certificates bound to market entities (JSON array of fingerprint, PEM, serial, issuer,
-- expiry and revocation).
ALTER TABLE entities ADD COLUMN certificates TEXT NOT NULL DEFAULT '[]';
