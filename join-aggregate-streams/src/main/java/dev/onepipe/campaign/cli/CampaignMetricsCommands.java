package dev.onepipe.campaign.cli;

import java.util.List;

import dev.onepipe.campaign.bench.CampaignMetricsBenchmark;
import dev.onepipe.core.cli.CommandProvider;

/** Adds {@code onepipe campaign-metrics ...} and {@code onepipe bench campaign-metrics}. */
public final class CampaignMetricsCommands implements CommandProvider {

    @Override
    public List<Object> commands() {
        return List.of(new CampaignMetricsCommand());
    }

    @Override
    public List<Object> benchmarkCommands() {
        return List.of(new CampaignMetricsBenchmark());
    }
}
