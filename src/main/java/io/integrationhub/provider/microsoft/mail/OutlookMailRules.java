package io.integrationhub.provider.microsoft.mail;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Matcher;
import com.google.re2j.PatternSyntaxException;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.ConnectionConfigCheck;

/**
 * The capture rules of an {@code outlook} connection, from {@code config.mail} (docs/microsoft-mail.md):
 * <pre>
 * "mail": {
 *   "folders": ["archive", "AAMkAGI2…"],         // captured besides inbox and sentitems (well-known names or folder ids)
 *   "jobPattern": "\\[(JOB-\\d+)\\]",            // job reference in the subject: an RE2 regex with exactly one group
 *   "jobAddresses": {"site@client.example": "JOB-1234"},  // sender/recipient addresses known for a job
 *   "saveAttachments": true                      // save attachments of job emails to the job's OneDrive folder
 * }
 * </pre>
 * Checked when a connection is created or patched: a bad value is {@code 422} naming the field.
 *
 * <p>{@code jobPattern} is the tenant's own code running on the shared sync workers, so it is compiled and matched
 * by RE2/J, whose matching time is linear in the subject whatever the pattern: no backtracking, so no pattern can
 * hang or stack-overflow a worker. RE2 syntax has no look-around, back-references, atomic groups or possessive
 * quantifiers; a pattern using them is refused when the config is written.
 */
@Component
public class OutlookMailRules implements ConnectionConfigCheck {

    public static final String PROVIDER = "outlook";
    public static final String DEFAULT_JOB_PATTERN = "\\[(JOB-\\d+)\\]";
    /** Sent Items first: a sent message links its conversation before replies in the Inbox are read. */
    public static final List<String> ALWAYS = List.of("sentitems", "inbox");
    static final int MAX_FOLDERS = 20;
    static final int MAX_JOB_REF = 128;
    private static final Pattern FOLDER = Pattern.compile("[A-Za-z0-9_=+.-]{1,512}");
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");
    private static final Set<String> KEYS = Set.of("folders", "jobPattern", "jobAddresses", "saveAttachments");

    /** One connection's rules (no {@code jobPattern}: no job in subjects). Addresses are compared case-insensitively. */
    public record Rules(List<String> folders, com.google.re2j.Pattern jobPattern, Map<String, String> jobAddresses, boolean saveAttachments) {

        /** The job reference in a subject, or null. */
        public String jobInSubject(String subject) {
            if (subject == null || jobPattern == null) {
                return null;
            }
            Matcher m = jobPattern.matcher(subject);
            String job = m.find() ? blankToNull(m.group(1)) : null;
            return job == null || job.length() > MAX_JOB_REF ? null : job;
        }

        /** The job of the first address known for one, or null. */
        public String jobOfAddresses(List<String> addresses) {
            for (String a : addresses) {
                String job = a == null ? null : jobAddresses.get(a.toLowerCase(Locale.ROOT));
                if (job != null) {
                    return job;
                }
            }
            return null;
        }
    }

    /** The rules of a (valid) config; defaults where it says nothing. */
    public Rules rules(JsonNode config) {
        JsonNode mail = config == null ? null : config.get("mail");
        Set<String> folders = new LinkedHashSet<>(ALWAYS);
        com.google.re2j.Pattern pattern = com.google.re2j.Pattern.compile(DEFAULT_JOB_PATTERN);
        Map<String, String> addresses = new LinkedHashMap<>();
        boolean save = true;
        if (mail != null && mail.isObject()) {
            for (JsonNode f : mail.path("folders")) {
                folders.add(folderKey(f.asText()));
            }
            if (mail.path("jobPattern").isTextual()) {
                try {
                    pattern = com.google.re2j.Pattern.compile(mail.get("jobPattern").asText());
                } catch (PatternSyntaxException e) {
                    // Saved before patterns were checked against RE2 syntax: no subject matching until it is fixed.
                    pattern = null;
                }
            }
            mail.path("jobAddresses").fields().forEachRemaining(e -> {
                if (e.getValue().isTextual()) {
                    addresses.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText().trim());
                }
            });
            if (mail.path("saveAttachments").isBoolean()) {
                save = mail.get("saveAttachments").asBoolean();
            }
        }
        return new Rules(List.copyOf(folders), pattern, Map.copyOf(addresses), save);
    }

    /** Well-known folder names are case-insensitive in Graph; ids are kept as given. */
    static String folderKey(String folder) {
        String lower = folder.toLowerCase(Locale.ROOT);
        return ALWAYS.contains(lower) || List.of("archive", "drafts", "deleteditems", "junkemail").contains(lower) ? lower
                : folder;
    }

    @Override
    public List<FieldError> check(ProviderDefinition provider, JsonNode config) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode mail = config.get("mail");
        if (!PROVIDER.equals(provider.key()) || mail == null || mail.isNull()) {
            return errors;
        }
        if (!mail.isObject()) {
            errors.add(new FieldError("/config/mail", "must be an object (folders, jobPattern, jobAddresses, saveAttachments)"));
            return errors;
        }
        for (Iterator<String> it = mail.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                errors.add(new FieldError("/config/mail/" + key, "unknown setting; known: folders, jobPattern, jobAddresses, "
                        + "saveAttachments"));
            }
        }
        JsonNode folders = mail.get("folders");
        if (folders != null && !folders.isNull()) {
            if (!folders.isArray() || folders.size() > MAX_FOLDERS) {
                errors.add(new FieldError("/config/mail/folders", "must be an array of at most " + MAX_FOLDERS
                        + " folder ids or well-known names"));
            } else {
                for (int i = 0; i < folders.size(); i++) {
                    JsonNode f = folders.get(i);
                    if (!f.isTextual() || !FOLDER.matcher(f.asText()).matches()) {
                        errors.add(new FieldError("/config/mail/folders/" + i, "must be a mail folder id or a well-known "
                                + "folder name such as archive"));
                    }
                }
            }
        }
        JsonNode pattern = mail.get("jobPattern");
        if (pattern != null && !pattern.isNull()) {
            String problem = patternProblem(pattern);
            if (problem != null) {
                errors.add(new FieldError("/config/mail/jobPattern", problem));
            }
        }
        JsonNode addresses = mail.get("jobAddresses");
        if (addresses != null && !addresses.isNull()) {
            if (!addresses.isObject()) {
                errors.add(new FieldError("/config/mail/jobAddresses", "must be an object of email address → job reference"));
            } else {
                addresses.fields().forEachRemaining(e -> {
                    String field = "/config/mail/jobAddresses/" + e.getKey().replace("~", "~0").replace("/", "~1");
                    if (!ADDRESS.matcher(e.getKey()).matches()) {
                        errors.add(new FieldError(field, "the key must be an email address"));
                    } else if (!e.getValue().isTextual() || e.getValue().asText().isBlank()
                            || e.getValue().asText().length() > MAX_JOB_REF) {
                        errors.add(new FieldError(field, "must be a job reference of 1 to " + MAX_JOB_REF + " characters"));
                    }
                });
            }
        }
        JsonNode save = mail.get("saveAttachments");
        if (save != null && !save.isNull() && !save.isBoolean()) {
            errors.add(new FieldError("/config/mail/saveAttachments", "must be true or false"));
        }
        return errors;
    }

    private static String patternProblem(JsonNode pattern) {
        if (!pattern.isTextual() || pattern.asText().isBlank() || pattern.asText().length() > 500) {
            return "must be a regular expression of 1 to 500 characters";
        }
        try {
            int groups = com.google.re2j.Pattern.compile(pattern.asText()).groupCount();
            return groups == 1 ? null : "must have exactly one capturing group (the job reference); it has " + groups;
        } catch (PatternSyntaxException e) {
            return "not a valid regular expression, or one using a construct not supported (RE2 syntax: no look-around, "
                    + "back-references, atomic groups or possessive quantifiers): " + e.getDescription();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
