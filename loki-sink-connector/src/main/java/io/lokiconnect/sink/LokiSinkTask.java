package io.lokiconnect.sink;

import io.lokiconnect.common.Version;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/** Placeholder until the batcher and client land (issue 6). */
public class LokiSinkTask extends SinkTask {

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        throw new UnsupportedOperationException("LokiSinkTask is not implemented yet");
    }

    @Override
    public void stop() {
    }
}
