package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

class FirewallCharactersTest {

    // Spring Security's StrictHttpFirewall expressions, which the predicates must agree with
    private static final Pattern NAME = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");
    private static final Pattern VALUE = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

    @Test
    void shouldJudgeEveryStringAsTheFirewallsExpressionsDo() {
        List<String> samples = new ArrayList<>(List.of("", "application/json", "t=1712345678,v1=abc=", "tab\there",
                "nul\u0000", "del\u007f", "c1\u0085", "c1 end\u009f", "line\nfeed", "cr\r", "caf\u00e9", "\u0378 unassigned",
                "emoji \ud83d\ude00", "unassigned plane \udb40\udc00", "lone \ud800 high", "lone low \udc00", "\ud800",
                "private \ue000", "bom \ufeff", "nonchar \uffff", "line sep \u2028", "zero width \u200b"));
        SplittableRandom random = new SplittableRandom(16);
        for (int n = 0; n < 20_000; n++) { // random strings over all planes, with an ASCII-heavy mix
            StringBuilder b = new StringBuilder();
            int len = random.nextInt(12);
            for (int i = 0; i < len; i++) {
                int kind = random.nextInt(4);
                int cp = kind == 0 ? random.nextInt(0x20, 0x7f) : kind == 1 ? random.nextInt(0, 0x100)
                        : kind == 2 ? random.nextInt(0, 0x10000) : random.nextInt(0, 0x110000);
                b.appendCodePoint(cp);
            }
            samples.add(b.toString());
        }
        int refused = 0;
        for (String s : samples) {
            boolean name = NAME.matcher(s).matches();
            assertThat(FirewallCharacters.ASSIGNED_NOT_CONTROL.test(s)).as("name %s", s.codePoints().boxed().toList()).isEqualTo(name);
            assertThat(FirewallCharacters.HEADER_VALUE.test(s)).as("value %s", s.codePoints().boxed().toList())
                    .isEqualTo(VALUE.matcher(s).matches());
            refused += name ? 0 : 1;
        }
        assertThat(refused).as("the samples include refused strings").isGreaterThan(1000).isLessThan(samples.size() - 1000);
    }

    @Test
    void shouldRefuseAControlCharacterInAHeaderAndKeepTheFirewallsOtherRules() {
        StrictHttpFirewall firewall = FirewallCharacters.firewall();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/webhooks/xero");
        request.addHeader("x-xero-signature", "abc=");
        request.addHeader("x-evil", "a\u0007b");
        request.addHeader("x-tab", "a\tb");
        var firewalled = firewall.getFirewalledRequest(request);
        assertThat(firewalled.getHeader("x-xero-signature")).isEqualTo("abc=");
        assertThat(firewalled.getHeader("x-tab")).isEqualTo("a\tb");
        assertThatThrownBy(() -> firewalled.getHeader("x-evil")).isInstanceOf(RequestRejectedException.class);

        MockHttpServletRequest traversal = new MockHttpServletRequest("POST", "/webhooks/../actuator");
        traversal.setServletPath("/webhooks/../actuator");
        assertThatThrownBy(() -> firewall.getFirewalledRequest(traversal)).isInstanceOf(RequestRejectedException.class);
        MockHttpServletRequest semicolon = new MockHttpServletRequest("POST", "/webhooks/xero;jsessionid=1");
        assertThatThrownBy(() -> firewall.getFirewalledRequest(semicolon)).isInstanceOf(RequestRejectedException.class);
    }
}
