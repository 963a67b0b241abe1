package dev.onepipe.campaign.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.onepipe.campaign.CampaignMetrics;
import dev.onepipe.campaign.CampaignMetricsSettings;
import dev.onepipe.campaign.query.CampaignMetricsEndpoint;
import dev.onepipe.campaign.query.CampaignMetricsReport;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.metadata.TimestampText;
import dev.onepipe.testdata.BotIpBlocklist;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code onepipe campaign-metrics ...}: show a campaign's metrics, edit the bot blocklist. */
@Command(name = "campaign-metrics", mixinStandardHelpOptions = true,
        description = {"Ad campaign metrics: show a campaign, block bot addresses.",
            "Run the topology with: onepipe run campaign-metrics --dataset ad-served [--http-port 8080]"},
        subcommands = {CampaignMetricsCommand.Show.class, CampaignMetricsCommand.Block.class,
            CampaignMetricsCommand.Unblock.class})
public final class CampaignMetricsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * A campaign's metrics as a table: from a running instance's endpoint with {@code --url} (live, including open
     * windows), or else from the output topic (the published results, read to its current end).
     */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print a campaign's metrics per window.",
                "With --url, ask a running instance (onepipe run campaign-metrics --http-port <port>); otherwise read the output dataset's topic."})
    static final class Show implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<campaign>", description = "Campaign id, e.g. campaign-0001.")
        String campaignId;

        @Option(names = "--url", paramLabel = "<http://host:port>", description = "A running instance's query endpoint.")
        String url;

        @Option(names = "--from", paramLabel = "<instant|millis>", description = "Earliest window start: epoch ms or ISO-8601 (2026-11-29T10:00:00Z; no offset means UTC).")
        String from;

        @Option(names = "--to", paramLabel = "<instant|millis>", description = "Latest window start; same forms as --from.")
        String to;

        @Option(names = "--output-dataset", defaultValue = CampaignMetricsSettings.DEFAULT_OUTPUT_DATASET, paramLabel = "<name>",
                description = "Output dataset to read without --url (default: ${DEFAULT-VALUE}).")
        String outputDataset;

        @Mixin
        ConfigOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            List<CampaignMetrics> metrics = url != null ? fromEndpoint() : fromTopic();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s: %d window(s)%n", campaignId, metrics.size());
            out.print(CampaignMetricsReport.windowsTable(metrics));
            out.flush();
            return 0;
        }

        private List<CampaignMetrics> fromEndpoint() throws IOException, InterruptedException {
            List<String> query = new ArrayList<>();
            if (from != null) {
                query.add("from=" + parseInstant(from));
            }
            if (to != null) {
                query.add("to=" + parseInstant(to));
            }
            URI uri = URI.create(url.replaceAll("/+$", "") + CampaignMetricsEndpoint.path(campaignId) + (query.isEmpty() ? "" : "?" + String.join("&", query)));
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + response.body());
            }
            return CampaignMetricsEndpoint.parse(response.body());
        }

        private List<CampaignMetrics> fromTopic() {
            long fromMillis = from == null ? Long.MIN_VALUE : parseInstant(from);
            long toMillis = to == null ? Long.MAX_VALUE : parseInstant(to);
            return CampaignMetricsReport.latest(options.config(Map.of()), outputDataset).stream()
                    .filter(window -> window.campaignId().equals(campaignId))
                    .filter(window -> window.windowStart() >= fromMillis && window.windowStart() <= toMillis)
                    .toList();
        }

        /** Epoch ms or {@link TimestampText}, read here so a text means the same with and without --url. */
        private static long parseInstant(String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException notMillis) {
                try {
                    return TimestampText.parseInstant(text).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a time: use epoch ms or " + TimestampText.FORMS);
                }
            }
        }
    }

    /** Adds addresses or CIDR blocks to the bot blocklist; running topologies drop their events from then on. */
    @Command(name = "block", mixinStandardHelpOptions = true, description = "Add IPv4 addresses or CIDR blocks to the bot blocklist.")
    static final class Block implements Callable<Integer> {

        @Parameters(paramLabel = "<ip|cidr>", arity = "0..*", description = "E.g. 198.51.100.7 or 203.0.113.0/24.")
        List<String> entries = new ArrayList<>();

        @Option(names = "--standard", description = "Also add the sample bot list of the generators (documentation ranges).")
        boolean standard;

        @Option(names = "--topic", defaultValue = CampaignMetricsSettings.DEFAULT_BLOCKLIST_TOPIC, paramLabel = "<topic>",
                description = "Blocklist topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            List<String> all = new ArrayList<>(entries);
            if (standard) {
                all.addAll(BotIpBlocklist.standard().entries());
            }
            if (all.isEmpty()) {
                throw new IllegalArgumentException("Name at least one address or block, or use --standard");
            }
            BotBlocklist.publish(KafkaClientSettings.common(options.config(Map.of())), topic, all, true);
            System.out.printf("onepipe: blocked %d entr%s on %s%n", all.size(), all.size() == 1 ? "y" : "ies", topic);
            return 0;
        }
    }

    /** Removes entries from the bot blocklist. */
    @Command(name = "unblock", mixinStandardHelpOptions = true, description = "Remove IPv4 addresses or CIDR blocks from the bot blocklist.")
    static final class Unblock implements Callable<Integer> {

        @Parameters(paramLabel = "<ip|cidr>", arity = "1..*", description = "Entries as they were blocked.")
        List<String> entries;

        @Option(names = "--topic", defaultValue = CampaignMetricsSettings.DEFAULT_BLOCKLIST_TOPIC, paramLabel = "<topic>",
                description = "Blocklist topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            BotBlocklist.publish(KafkaClientSettings.common(options.config(Map.of())), topic, entries, false);
            System.out.printf("onepipe: unblocked %d entr%s on %s%n", entries.size(), entries.size() == 1 ? "y" : "ies", topic);
            return 0;
        }
    }
}
