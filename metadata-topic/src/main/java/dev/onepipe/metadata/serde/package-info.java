/**
 * The onepipe wire format ({@code 0x00}, a 4-byte big-endian global schema id, Avro binary) and the Kafka serdes
 * that validate records against a dataset's registered schema before sending and resolve writer schemas by id when
 * reading.
 */
package dev.onepipe.metadata.serde;
