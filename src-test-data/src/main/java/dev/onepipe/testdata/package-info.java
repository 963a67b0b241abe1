/**
 * Sample datasets of onepipe (schemas and metadata), seeded deterministic generators of their records with
 * realistic defects, and tallies: expected results computed from the generated records with plain Java,
 * independently of any topology. Start with {@link dev.onepipe.testdata.SampleDatasets},
 * {@link dev.onepipe.testdata.WidgetGenerator}, {@link dev.onepipe.testdata.AdTrafficGenerator} and
 * {@link dev.onepipe.testdata.YsbGenerator}; the module README describes every knob and count.
 */
package dev.onepipe.testdata;
