package io.lokiconnect.benchmarks.source;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import io.lokiconnect.source.tail.FileSetTailer;
import io.lokiconnect.source.tail.TailerSettings;
import io.lokiconnect.source.tail.TailerStats;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source's tailer alone (no Kafka, no worker) on many small files, as the task runs it: {@code tasks} tailers
 * (one thread each, the task's defaults: scan every 5 s, files.max.open 256, a 250 ms sleep after an empty poll).
 * Prints the time to read every line, the tailers' CPU while the files do not change, how long an appended line
 * takes, and how long a restart from the stored offsets takes to its first line. For profiling the per-file costs
 * quickly (run it under {@code -XX:StartFlightRecording}); the worker figures come from {@code benchmarks/run.sh}.
 *
 * <pre>java -cp ... io.lokiconnect.benchmarks.source.ManyFilesTailer [files] [lines] [tasks] [idle seconds]</pre>
 */
public final class ManyFilesTailer {

    private static final String LINE = "{\"timestamp\":\"2026-11-25T10:15:30.123456Z\",\"level\":\"info\","
            + "\"service\":\"checkout\",\"message\":\"order %08d placed for customer 4711 with 3 items\","
            + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}";

    private ManyFilesTailer() {
    }

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int lines = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int tasks = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int idleSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = Files.createTempDirectory("many-files");
        long written = System.nanoTime();
        for (int f = 0; f < files; f++) {
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(String.format("app-%05d.log", f)))) {
                for (int i = 0; i < lines; i++) {
                    out.write(String.format(LINE, (long) f * lines + i));
                    out.write('\n');
                }
            }
        }
        System.out.printf("wrote %,d files x %,d lines in %.1f s%n", files, lines, (System.nanoTime() - written) / 1e9);
        Map<FileIdentity, ResumePoint> stored = new ConcurrentHashMap<>();
        Run first = new Run(dir, tasks, stored);
        long total = (long) files * lines;
        first.start();
        first.awaitLines(total);
        System.out.printf("all %,d lines: first after %.2f s, all after %.2f s%n", total, first.firstSeconds(),
                first.seconds());
        Thread.sleep(6_000); // one more scan: nothing is new
        first.bigPolls.set(0); first.smallPolls.set(0); first.bigCount.set(0); first.smallCount.set(0);
        double cpu = first.cpuSeconds(idleSeconds);
        System.out.printf("polls over 10 ms of CPU: %d, %.0f ms; others: %d, %.0f ms%n", first.bigCount.get(),
                first.bigPolls.get() / 1e6, first.smallCount.get(), first.smallPolls.get() / 1e6);
        System.out.printf("lines %,d, truncations %d%n", first.count.get(),
                first.allStats.stream().mapToLong(x -> x.truncations.get()).sum());
        System.out.printf("idle: %.1f %% of one core over %d s (tailer threads)%n", 100 * cpu / idleSeconds,
                idleSeconds);
        Path one = dir.resolve(String.format("app-%05d.log", files / 2));
        long appended = System.nanoTime();
        Files.writeString(one, String.format(LINE, -1L) + "\n", StandardOpenOption.APPEND);
        first.awaitLines(total + 1);
        System.out.printf("a line appended to one file arrived after %.0f ms%n", (first.lastAt() - appended) / 1e6);
        first.stop();
        Files.writeString(one, String.format(LINE, -2L) + "\n", StandardOpenOption.APPEND);
        Run restart = new Run(dir, tasks, stored);
        restart.start();
        restart.awaitLines(1);
        System.out.printf("restart with %,d stored offsets: first line after %.2f s%n", stored.size(),
                restart.firstSeconds());
        restart.stop();
        System.exit(0);
    }

    /** {@code tasks} tailers on their own threads, as the worker runs a connector's tasks. */
    private static final class Run {
        private final List<Thread> threads = new ArrayList<>();
        private final List<FileSetTailer> tailers = new ArrayList<>();
        final List<TailerStats> allStats = new ArrayList<>();
        private final AtomicLong count = new AtomicLong();
        final AtomicLong bigPolls = new AtomicLong();
        final AtomicLong smallPolls = new AtomicLong();
        final AtomicLong bigCount = new AtomicLong();
        final AtomicLong smallCount = new AtomicLong();
        private volatile long firstAt;
        private volatile long lastAt;
        private volatile boolean stopping;
        private long started;

        Run(Path dir, int tasks, Map<FileIdentity, ResumePoint> stored) {
            for (int t = 0; t < tasks; t++) {
                TailerStats stats = new TailerStats();
                allStats.add(stats);
                FileProblems problems = new FileProblems(stats.fileErrors);
                GlobWatcher watcher = new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(dir.toString()),
                        problems);
                // The task's defaults, except: every closed file at its end looked at at each poll, no kernel watch.
                TailerSettings settings = new TailerSettings(256 * 1024, true, StandardCharsets.UTF_8, 5_000, false,
                        5_000, 256, null, 500, 2_000, 512 * 1024, 10_000, 0, 0, false);
                FileSetTailer tailer = new FileSetTailer(watcher, new FileAssignment(t, tasks), settings,
                        ids -> {
                            Map<FileIdentity, ResumePoint> found = new java.util.HashMap<>();
                            for (FileIdentity id : ids) {
                                ResumePoint p = stored.get(id);
                                if (p != null) {
                                    found.put(id, p);
                                }
                            }
                            return found;
                        }, stats, problems, () -> System.nanoTime() / 1_000_000L);
                tailers.add(tailer);
                threads.add(new Thread(() -> loop(tailer, stored), "tailer-" + t));
            }
        }

        private void loop(FileSetTailer tailer, Map<FileIdentity, ResumePoint> stored) {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            while (!stopping) {
                long cpu0 = mx.getCurrentThreadCpuTime();
                List<TailedLine> batch = tailer.poll(2_000, 1_048_576);
                long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                (cpu > 10_000_000L ? bigPolls : smallPolls).addAndGet(cpu);
                (cpu > 10_000_000L ? bigCount : smallCount).incrementAndGet();
                if (batch.isEmpty()) {
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                for (TailedLine line : batch) {
                    stored.put(line.identity(), line.resume());
                }
                long now = System.nanoTime();
                if (firstAt == 0) {
                    firstAt = now;
                }
                lastAt = now;
                count.addAndGet(batch.stream().filter(l -> l.text() != null).count());
            }
            tailer.close();
        }

        void start() {
            started = System.nanoTime();
            threads.forEach(Thread::start);
        }

        void awaitLines(long n) throws InterruptedException {
            long deadline = System.nanoTime() + 600_000_000_000L;
            while (count.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        double firstSeconds() {
            return (firstAt - started) / 1e9;
        }

        double seconds() {
            return (lastAt - started) / 1e9;
        }

        long lastAt() {
            return lastAt;
        }

        /** CPU seconds the tailer threads use over the next {@code seconds}. */
        double cpuSeconds(int seconds) throws InterruptedException {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long before = threads.stream().mapToLong(t -> mx.getThreadCpuTime(t.getId())).sum();
            Thread.sleep(seconds * 1000L);
            long after = threads.stream().mapToLong(t -> mx.getThreadCpuTime(t.getId())).sum();
            return (after - before) / 1e9;
        }

        void stop() throws InterruptedException {
            stopping = true;
            for (Thread t : threads) {
                t.join();
            }
        }
    }
}
