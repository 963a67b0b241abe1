/**
 * The onepipe metadata registry: schema versions and dataset metadata kept in one compacted, single-partition Kafka
 * topic, written through one fenced transactional writer and read back into an in-memory {@link
 * dev.onepipe.metadata.MetadataCatalog} by every client and topology.
 */
package dev.onepipe.metadata;
