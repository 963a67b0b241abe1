/**
 * The producer library: {@link dev.onepipe.metadata.producer.DatasetProducer}, the one way applications publish to a
 * registered dataset, and the converter from natural JSON to Avro records it uses for JSON input.
 */
package dev.onepipe.metadata.producer;
