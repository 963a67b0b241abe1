package dev.onepipe.core.runtime.http;

/**
 * Answers HTTP requests under a path prefix of a running application's endpoint, e.g. a topology serving
 * {@code GET /campaigns/<id>/metrics} from its state store with interactive queries. Routes come from
 * {@link dev.onepipe.core.OnepipeTopology#httpRoutes}; they run on the endpoint's own threads, never on a stream
 * thread. An exception becomes a 500 response carrying its message.
 */
@FunctionalInterface
public interface HttpRoute {

    HttpRouteResponse handle(HttpRouteRequest request) throws Exception;
}
