package io.integrationhub.provider.microsoft.sandbox;

/** Graph mail endpoints of the simulator. */
public final class GraphMailSim {

    private final GraphSimulator sim;

    GraphMailSim(GraphSimulator sim) {
        this.sim = sim;
    }
}
