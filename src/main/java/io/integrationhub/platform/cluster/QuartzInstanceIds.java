package io.integrationhub.platform.cluster;

import java.net.InetAddress;
import java.util.UUID;

import org.quartz.spi.InstanceIdGenerator;

/**
 * Instance ids of the clustered Quartz scheduler ({@code org.quartz.scheduler.instanceIdGenerator.class}): the host
 * name plus a random suffix, unique per process like Quartz's own AUTO ids. Quartz's generator asks the resolver for
 * the local host and refuses to start when the machine's name does not resolve (a fresh machine or container without
 * its name in /etc/hosts); this one falls back to {@code HOSTNAME} (set by Kubernetes to the pod name), then "hub".
 */
public class QuartzInstanceIds implements InstanceIdGenerator {

    @Override
    public String generateInstanceId() {
        return hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** This machine's name: what the resolver says, else {@code HOSTNAME}, else "hub". */
    public static String hostName() {
        String env = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return env != null && !env.isBlank() ? env : "hub";
        }
    }
}
