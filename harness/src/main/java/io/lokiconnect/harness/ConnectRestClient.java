package io.lokiconnect.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The few calls of Connect's REST API that a user makes with curl, made the same way. */
public final class ConnectRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Set by the worker that generated them ({@link LocalConnectWorker#start}); null sends no Authorization. */
    private volatile RestCredentials credentials;

    public ConnectRestClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** Every later request carries these credentials (basic authentication). */
    public void authenticateAs(RestCredentials credentials) {
        this.credentials = credentials;
    }

    /**
     * True when the worker answers 200; false while it does not answer yet.
     *
     * @throws IllegalStateException when it refuses this client's credentials: waiting would not help
     */
    public boolean isUp() {
        try {
            int status = send("GET", "/connectors", null).statusCode();
            if (status == 401 || status == 403) {
                throw new IllegalStateException("the Connect worker at " + baseUrl + " answered " + status
                        + " to " + (credentials == null ? "a request without credentials" : credentials)
                        + ": its REST API requires a user and password (rest.extension.classes in its"
                        + " worker.properties) that this client does not have");
            }
            return status == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * {@code PUT /connector-plugins/{class}/config/validate}: the dry run. Returns one line per error,
     * {@code key: message}; empty when the config is valid.
     */
    public List<String> validate(Map<String, String> config) throws IOException, InterruptedException {
        String className = config.get("connector.class");
        String simpleName = className.substring(className.lastIndexOf('.') + 1);
        JsonNode body = expect(send("PUT", "/connector-plugins/" + simpleName + "/config/validate",
                JSON.writeValueAsString(config)), 200);
        List<String> errors = new ArrayList<>();
        for (JsonNode entry : body.path("configs")) {
            for (JsonNode error : entry.path("value").path("errors")) {
                errors.add(entry.path("value").path("name").asText() + ": " + error.asText());
            }
        }
        return errors;
    }

    /** {@code PUT /connectors/{name}/config}: creates the connector, or updates it when it exists. */
    public void putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        HttpResponse<String> response = send("PUT", "/connectors/" + name + "/config", JSON.writeValueAsString(config));
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IllegalStateException("PUT /connectors/" + name + "/config answered " + response.statusCode()
                    + ": " + response.body());
        }
    }

    /** {@code GET /connectors/{name}/status}, or null when the connector does not exist. */
    public JsonNode status(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = send("GET", "/connectors/" + name + "/status", null);
        return response.statusCode() == 404 ? null : expect(response, 200);
    }

    /** {@code DELETE /connectors/{name}}; a connector that does not exist is already deleted. */
    public void deleteConnector(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = send("DELETE", "/connectors/" + name, null);
        if (response.statusCode() != 204 && response.statusCode() != 404) {
            throw new IllegalStateException("DELETE /connectors/" + name + " answered " + response.statusCode()
                    + ": " + response.body());
        }
    }

    /** {@code PUT /connectors/{name}/stop} (KIP-875): its tasks are shut down, their offsets committed. */
    public void stopConnector(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = send("PUT", "/connectors/" + name + "/stop", null);
        if (response.statusCode() != 202 && response.statusCode() != 204) {
            throw new IllegalStateException("PUT /connectors/" + name + "/stop answered " + response.statusCode()
                    + ": " + response.body());
        }
    }

    /** {@code PUT /connectors/{name}/resume}: a stopped connector starts its tasks again. */
    public void resumeConnector(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = send("PUT", "/connectors/" + name + "/resume", null);
        if (response.statusCode() != 202 && response.statusCode() != 204) {
            throw new IllegalStateException("PUT /connectors/" + name + "/resume answered " + response.statusCode()
                    + ": " + response.body());
        }
    }

    private HttpResponse<String> send(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        RestCredentials auth = credentials;
        if (auth != null) {
            request.header("Authorization", auth.authorization());
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode expect(HttpResponse<String> response, int status) throws IOException {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri()
                    + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

}
