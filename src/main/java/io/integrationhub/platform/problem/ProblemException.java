package io.integrationhub.platform.problem;

import java.util.List;

/** Thrown by API code to answer with a problem document instead of a result. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.title() + ": " + problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException badRequest(String detail, Problem.FieldError... errors) {
        return new ProblemException(Problem.of(400, "bad-request", "Bad request", detail).withErrors(List.of(errors)));
    }

    public static ProblemException forbidden(String detail, Problem.FieldError... errors) {
        return new ProblemException(Problem.of(403, "forbidden", "Forbidden", detail).withErrors(List.of(errors)));
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(Problem.of(404, "not-found", "Not found", what + " was not found"));
    }

    public static ProblemException unprocessable(String detail, Problem.FieldError... errors) {
        return new ProblemException(Problem.of(422, "unprocessable", "Request cannot be carried out", detail)
                .withErrors(List.of(errors)));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(409, "conflict", "Conflict", detail));
    }
}
