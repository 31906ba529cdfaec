package io.lokiconnect.source;

import io.lokiconnect.common.Version;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/** Placeholder until the tailer lands (issue 4). */
public class FileLogSourceTask extends SourceTask {

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        Thread.sleep(500);
        return null;
    }

    @Override
    public void stop() {
    }
}
