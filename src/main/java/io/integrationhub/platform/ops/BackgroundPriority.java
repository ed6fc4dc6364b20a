package io.integrationhub.platform.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Route policy {@code #backgroundPriority}: the threads of the routes that carry it run at a lower CPU priority
 * (Linux nice value {@code hub.background-nice}, default 10) than the request threads, so that on a busy machine
 * the work nobody waits for — processing stored webhooks, sync runs — takes the CPU that answering requests leaves,
 * and a webhook's acknowledgement does not queue behind it. When nothing else wants the CPU a lowered thread runs at
 * full speed; under contention the kernel gives a nice-10 thread about a tenth of a nice-0 thread's share, never none.
 *
 * <p>A thread lowers itself once, at the first exchange it carries (the Kafka and seda consumer threads live as
 * long as their route; threads they start inherit the value). Java has no call for a thread's nice value, so the
 * thread names itself from {@code /proc/thread-self} and runs {@code renice <nice> -p <tid>} (util-linux, present in
 * the image): lowering one's own priority needs no privilege. Where either is missing (not Linux, a trimmed image)
 * the hub logs it once and runs everything at one priority, as before. A thread already at that nice value or above
 * (a hub started with {@code nice}) is left as it is: the policy never raises a priority. {@code 0} turns it off.
 */
@Component("backgroundPriority")
public class BackgroundPriority extends RoutePolicySupport {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private final int nice;
    private final ThreadLocal<Boolean> lowered = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** Set once lowering failed on this machine: no further attempts (and no log line per thread). */
    private volatile boolean unavailable;

    public BackgroundPriority(@Value("${hub.background-nice:10}") int nice) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("hub.background-nice is 0 (off) to 19, not " + nice);
        }
        this.nice = nice;
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        if (nice == 0 || unavailable || lowered.get()) {
            return;
        }
        lowered.set(Boolean.TRUE);
        lowerCurrentThread(route.getId());
    }

    private void lowerCurrentThread(String routeId) {
        try {
            if (lower(nice)) {
                LOG.debug("Thread {} of route {} runs at nice {}", Thread.currentThread().getName(), routeId, nice);
            }
        } catch (IOException | RuntimeException e) {
            unavailable = true;
            LOG.info("hub.background-nice={}: background threads keep the request threads' CPU priority here ({})",
                    nice, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Lowers the calling thread to {@code nice} (threads it starts afterwards inherit the value); {@code false} when
     * it already was there or lower (never raised). Throws when this machine cannot do it (no {@code /proc}, no
     * {@code renice}).
     */
    public static boolean lower(int nice) throws IOException, InterruptedException {
        if (currentNice() >= nice) {
            return false; // already at background priority or lower (a JVM started with nice): never raised
        }
        String tid = threadId();
        Process renice = new ProcessBuilder("renice", Integer.toString(nice), "-p", tid)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!renice.waitFor(10, TimeUnit.SECONDS)) {
            renice.destroyForcibly();
            throw new IOException("renice did not finish in 10 s");
        }
        int now = currentNice();
        if (renice.exitValue() != 0 || now != nice) {
            throw new IOException("renice exited " + renice.exitValue() + ", the thread's nice value is " + now);
        }
        return true;
    }

    /** The kernel's id of the calling thread: {@code /proc/thread-self} links to {@code <pid>/task/<tid>}. */
    static String threadId() throws IOException {
        String link = Files.readSymbolicLink(THREAD_SELF).toString();
        return link.substring(link.lastIndexOf('/') + 1);
    }

    /** The calling thread's nice value. */
    public static int currentNice() throws IOException {
        return niceOf(THREAD_SELF.resolve("stat"));
    }

    /** A thread's nice value: field 19 of its {@code stat} file ({@code /proc/<pid>/task/<tid>/stat}). */
    public static int niceOf(Path stat) throws IOException {
        String line = Files.readString(stat, StandardCharsets.US_ASCII);
        // the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
    }
}
