package io.integrationhub.provider.businesscentral;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The "at most max-concurrent calls per environment" slots of {@link BusinessCentralOData} (steps
 * {@code business-central.odata.slot} / {@code .release} and {@code business-central.write.slot} / {@code .release}):
 * a slot comes back exactly once, whoever releases. The route-level proof that failed calls give their slot back is
 * {@code BusinessCentralRoutesTest#shouldGiveEverySlotBackAfterFailedCalls}.
 */
class BusinessCentralSlotsTest {

    static final String ROOT = "https://api.businesscentral.dynamics.com/v2.0/production/api/v2.0";

    private final CamelContext camel = new DefaultCamelContext();
    private final BusinessCentralOData odata = new BusinessCentralOData(5, 1000, 500);

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    private Exchange exchange() {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(BusinessCentralOData.SERVICE_URI, ROOT);
        return exchange;
    }

    @Test
    void shouldGiveASlotBackOnceEvenWhenReleasedTwice() throws Exception {
        Exchange call = exchange();
        odata.acquire(call);
        assertThat(odata.freeSlots(ROOT)).isEqualTo(4);
        odata.release(call);
        odata.release(call);
        assertThat(odata.freeSlots(ROOT)).as("a second release must not raise the limit").isEqualTo(5);
    }

    @Test
    void shouldLetOnlyTheExchangeThatTookASlotGiveItBack() throws Exception {
        Exchange call = exchange();
        odata.acquire(call);
        Exchange copy = call.copy(); // e.g. a split or multicast of an exchange holding a slot
        odata.release(copy);
        assertThat(odata.freeSlots(ROOT)).as("a copy does not release its parent's slot").isEqualTo(4);
        odata.release(call);
        assertThat(odata.freeSlots(ROOT)).isEqualTo(5);
    }

    @Test
    void shouldGiveBackEachSlotOfNestedCallsOnOneExchange() throws Exception {
        Exchange call = exchange();
        odata.acquire(call);
        odata.acquire(call);
        assertThat(odata.freeSlots(ROOT)).isEqualTo(3);
        odata.release(call);
        assertThat(odata.freeSlots(ROOT)).isEqualTo(4);
        odata.release(call);
        assertThat(odata.freeSlots(ROOT)).as("the outer slot is not lost").isEqualTo(5);
    }

    @Test
    void shouldKeepEnvironmentsApart() throws Exception {
        Exchange production = exchange();
        Exchange sandbox = exchange();
        sandbox.setProperty(BusinessCentralOData.SERVICE_URI, ROOT.replace("production", "sandbox"));
        odata.acquire(production);
        odata.acquire(sandbox);
        assertThat(odata.freeSlots(ROOT)).isEqualTo(4);
        assertThat(odata.freeSlots(ROOT.replace("production", "sandbox"))).isEqualTo(4);
        odata.release(sandbox);
        odata.release(production);
        assertThat(odata.freeSlots(ROOT)).isEqualTo(5);
    }
}
