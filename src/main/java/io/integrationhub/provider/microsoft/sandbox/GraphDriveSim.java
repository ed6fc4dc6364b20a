package io.integrationhub.provider.microsoft.sandbox;

/** Graph drive endpoints of the simulator. */
public final class GraphDriveSim {

    private final GraphSimulator sim;

    GraphDriveSim(GraphSimulator sim) {
        this.sim = sim;
    }
}
