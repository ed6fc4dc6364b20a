package io.integrationhub.provider.microsoft.sandbox;

import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;

/** {@code GET /me}: the signed-in user (the hub's connection check and account metadata). */
final class GraphIdentitySim {

    GraphIdentitySim(GraphSimulator sim) {
        sim.on("GET", "/me", (r, m) -> Reply.json(200, sim.mapper().createObjectNode()
                .put("@odata.context", sim.baseUrl() + "/$metadata#users/$entity")
                .put("id", "6e7b768e-07e2-4810-8459-485f84f8f204").put("displayName", "Sandbox User")
                .put("userPrincipalName", "sandbox@contoso.example").put("mail", "sandbox@contoso.example")));
    }
}
