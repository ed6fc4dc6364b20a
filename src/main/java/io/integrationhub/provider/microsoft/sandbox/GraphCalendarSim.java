package io.integrationhub.provider.microsoft.sandbox;

/** Graph calendar endpoints of the simulator. */
public final class GraphCalendarSim {

    private final GraphSimulator sim;

    GraphCalendarSim(GraphSimulator sim) {
        this.sim = sim;
    }
}
