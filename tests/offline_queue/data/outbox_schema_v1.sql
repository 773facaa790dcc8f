-- The kiosk outbox schema exactly as offline_queue.db.create_schema wrote it before
-- Alembic (commit b35c9d4): the first schema in the field. Frozen; do not edit.
CREATE TABLE outbox (
	seq INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	nonce BLOB NOT NULL, 
	ciphertext BLOB NOT NULL, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	signature BLOB NOT NULL, 
	state VARCHAR(16) DEFAULT 'pending' NOT NULL, 
	reason TEXT, 
	acked_at VARCHAR(40), 
	result TEXT, 
	confirmed_on_screen BOOLEAN DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_outbox PRIMARY KEY (seq), 
	CONSTRAINT ck_outbox_state CHECK (state IN ('pending', 'acked', 'rejected')), 
	CONSTRAINT ck_outbox_seq_positive CHECK (seq >= 1), 
	CONSTRAINT uq_outbox_uuid UNIQUE (uuid)
);
CREATE INDEX ix_outbox_state_seq ON outbox (state, seq);
CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	CONSTRAINT pk_meta PRIMARY KEY ("key")
);
INSERT INTO meta (key, value) VALUES ('schema_version', '1');
