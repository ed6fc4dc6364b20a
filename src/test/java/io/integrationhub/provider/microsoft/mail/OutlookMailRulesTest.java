package io.integrationhub.provider.microsoft.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.catalog.ProviderDefinition;

/**
 * A tenant's {@code jobPattern} runs on the shared sync workers, so it must finish in time linear in the subject
 * whatever the tenant wrote (security hardening, issue 15 item 4).
 */
class OutlookMailRulesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Exponential for a backtracking engine: java.util.regex takes about 3 s for 24 characters and doubles with each
     * further one (JDK 17 memoises the simpler {@code ^((?:a+)+)$}, but not an alternation inside the loop).
     */
    static final String CATASTROPHIC = "^((?:(?:a|\\w)+)+)$";

    private final OutlookMailRules rules = new OutlookMailRules();

    private static JsonNode config(String jobPattern) {
        return MAPPER.createObjectNode().set("mail", MAPPER.createObjectNode().put("jobPattern", jobPattern));
    }

    private static ProviderDefinition outlook() {
        return new ProviderDefinition(OutlookMailRules.PROVIDER, "Outlook mail", "email", ProviderDefinition.AuthType.oauth2,
                "microsoft", List.of(), " ", List.of("email"), List.of(), true);
    }

    @Test
    void aCatastrophicBacktrackingPatternShouldStillAnswerWithinSeconds() {
        assertThat(rules.check(outlook(), config(CATASTROPHIC))).isEmpty();
        OutlookMailRules.Rules r = rules.rules(config(CATASTROPHIC));
        // 40 characters: a backtracking engine needs days; 5000: it overflows the worker's stack.
        for (int length : new int[] {40, 5_000}) {
            String evil = "a".repeat(length) + "!";
            String job = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> r.jobInSubject(evil));
            assertThat(job).as("%d characters", length).isNull();
        }
        assertThat(r.jobInSubject("aaaa")).isEqualTo("aaaa");
    }

    @Test
    void theDefaultAndUsualPatternsShouldKeepWorking() {
        assertThat(rules.rules(MAPPER.createObjectNode()).jobInSubject("Re: Schedule [JOB-1234] Monday"))
                .isEqualTo("JOB-1234");
        assertThat(rules.rules(config("#(\\d{4})\\b")).jobInSubject("Job #4321 progress")).isEqualTo("4321");
        assertThat(rules.rules(config("(?i)ref:\\s*([a-z]+-\\d+)")).jobInSubject("REF: Site-77")).isEqualTo("Site-77");
    }

    @Test
    void patternsThatNeedBacktrackingShouldBeRefusedNamingTheField() {
        for (String pattern : List.of("(JOB-\\d+)(?=!)", "(?<=#)(\\d+)", "(a)\\1", "(?>JOB)(\\d+)", "(\\d++)")) {
            List<FieldError> errors = rules.check(outlook(), config(pattern));
            assertThat(errors).as(pattern).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("/config/mail/jobPattern");
                assertThat(e.message()).contains("not supported");
            });
        }
    }
}
