// Generated from the OpenAPI document at /docs/json by `npm run api:types`; do not edit.
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                            timestamp: string;
                            pool_health: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                            projectionLagSeconds?: number;
                            boundSeconds?: number;
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                            projectionLagSeconds?: number;
                            boundSeconds?: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Prometheus metrics */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            poolId: string;
                            /** @description oldest first */
                            events: {
                                position: string;
                                stream: string;
                                revision: number;
                                type: string;
                                /** @description ISO 8601 time */
                                at: string;
                                actor: string;
                                correlationId: string;
                                causationId?: string;
                                requestId?: string;
                                traceparent?: string;
                                data: unknown;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/as-of": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    /** @description an instant, RFC 3339 */
                    at: string;
                };
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            /** @description ISO 8601 time */
                            at: string;
                            position: string | null;
                            state: {
                                [key: string]: unknown;
                            };
                            heldBy: {
                                sessionId: string;
                                holder: string;
                                /** @description ISO 8601 time */
                                from: string;
                                /** @description ISO 8601 time */
                                until: string;
                                /** @enum {unknown} */
                                end: "released" | "expired" | "live";
                            } | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/holders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            items: {
                                sessionId: string;
                                holder: string;
                                /** @description ISO 8601 time */
                                from: string;
                                /** @description ISO 8601 time */
                                until: string;
                                /** @enum {unknown} */
                                end: "released" | "expired" | "live";
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    actor?: string;
                    /** @description an instant, RFC 3339 */
                    from?: string;
                    /** @description an instant, RFC 3339 */
                    to?: string;
                    type?: string;
                    stream?: string;
                    correlationId?: string;
                    limit: number;
                    offset: number;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            total: number;
                            items: {
                                [key: string]: unknown;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                poolId: string;
                                name: string;
                                providerId: string;
                                minSize: number;
                                maxSize: number;
                                defaultLeaseTtlMs: number;
                                maxLeaseTtlMs: number;
                                /** @enum {unknown} */
                                strategy: "lru" | "round_robin" | "random" | "least_used";
                                cooldown: {
                                    baseMs: number;
                                    maxMs: number;
                                    failureThreshold: number;
                                    failureWindowMs: number;
                                };
                                dailyLimits: {
                                    [key: string]: number;
                                };
                                exclusive: boolean;
                                counts: {
                                    total: number;
                                    available: number;
                                    leased: number;
                                    cooling: number;
                                    disabled: number;
                                    retired: number;
                                };
                                activeSessions: number;
                                /**
                                 * @description available accounts against minSize × the health ratios
                                 * @enum {unknown}
                                 */
                                health: "healthy" | "low" | "critical";
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description letters, digits, `_.-`; up to 64 */
                        poolId: string;
                        name: string;
                        providerId?: string;
                        minSize?: number;
                        maxSize?: number;
                        defaultLeaseTtlMs?: number;
                        maxLeaseTtlMs?: number;
                        /** @enum {unknown} */
                        strategy?: "lru" | "round_robin" | "random" | "least_used";
                        health?: {
                            lowRatio?: number;
                            criticalRatio?: number;
                        };
                        cooldown?: {
                            baseMs?: number;
                            maxMs?: number;
                            failureThreshold?: number;
                            failureWindowMs?: number;
                        };
                        /** @description units per model and usage day */
                        dailyLimits?: {
                            [key: string]: number;
                        };
                        /** @description the gateway leases each account it uses, so that gateway use and leases never share an account on any node */
                        exclusive?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            poolId: string;
                            config: {
                                name: string;
                                providerId: string;
                                minSize: number;
                                maxSize: number;
                                defaultLeaseTtlMs: number;
                                maxLeaseTtlMs: number;
                                /** @enum {unknown} */
                                strategy: "lru" | "round_robin" | "random" | "least_used";
                                cooldown: {
                                    baseMs: number;
                                    maxMs: number;
                                    failureThreshold: number;
                                    failureWindowMs: number;
                                };
                                dailyLimits: {
                                    [key: string]: number;
                                };
                                exclusive: boolean;
                                health: {
                                    lowRatio: number;
                                    criticalRatio: number;
                                };
                            };
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            poolId: string;
                            name: string;
                            providerId: string;
                            minSize: number;
                            maxSize: number;
                            defaultLeaseTtlMs: number;
                            maxLeaseTtlMs: number;
                            /** @enum {unknown} */
                            strategy: "lru" | "round_robin" | "random" | "least_used";
                            cooldown: {
                                baseMs: number;
                                maxMs: number;
                                failureThreshold: number;
                                failureWindowMs: number;
                            };
                            dailyLimits: {
                                [key: string]: number;
                            };
                            exclusive: boolean;
                            counts: {
                                total: number;
                                available: number;
                                leased: number;
                                cooling: number;
                                disabled: number;
                                retired: number;
                            };
                            activeSessions: number;
                            /**
                             * @description available accounts against minSize × the health ratios
                             * @enum {unknown}
                             */
                            health: "healthy" | "low" | "critical";
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        providerId?: string;
                        minSize?: number;
                        maxSize?: number;
                        defaultLeaseTtlMs?: number;
                        maxLeaseTtlMs?: number;
                        /** @enum {unknown} */
                        strategy?: "lru" | "round_robin" | "random" | "least_used";
                        health?: {
                            lowRatio?: number;
                            criticalRatio?: number;
                        };
                        cooldown?: {
                            baseMs?: number;
                            maxMs?: number;
                            failureThreshold?: number;
                            failureWindowMs?: number;
                        };
                        /** @description units per model and usage day */
                        dailyLimits?: {
                            [key: string]: number;
                        };
                        /** @description the gateway leases each account it uses, so that gateway use and leases never share an account on any node */
                        exclusive?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            poolId: string;
                            config: {
                                name: string;
                                providerId: string;
                                minSize: number;
                                maxSize: number;
                                defaultLeaseTtlMs: number;
                                maxLeaseTtlMs: number;
                                /** @enum {unknown} */
                                strategy: "lru" | "round_robin" | "random" | "least_used";
                                cooldown: {
                                    baseMs: number;
                                    maxMs: number;
                                    failureThreshold: number;
                                    failureWindowMs: number;
                                };
                                dailyLimits: {
                                    [key: string]: number;
                                };
                                exclusive: boolean;
                                health: {
                                    lowRatio: number;
                                    criticalRatio: number;
                                };
                            };
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/pools/{poolId}/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: uuid */
                        accountId?: string;
                        force?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            refreshed: number;
                            skipped: number;
                            failed: number;
                            revoked: number;
                            results: {
                                accountId: string;
                                /** @enum {unknown} */
                                outcome: "refreshed" | "revoked" | "failed" | "skipped";
                                detail?: string;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/replenish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        count?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            poolId: string;
                            requested: number;
                            registering: number;
                            jobId: string | null;
                            detail: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query: {
                    /** @description `update`: replace the credentials of accounts already in the pool */
                    mode: "create" | "update";
                };
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        accounts?: {
                            login: string;
                            password?: string;
                            accessToken?: string;
                            refreshToken?: string;
                            idToken?: string;
                            /** Format: date-time */
                            credentialsExpiresAt?: string;
                            capabilities?: string[];
                            region?: string;
                        }[];
                        /** @description email:password[:refresh_token], one per line */
                        lines?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            imported: number;
                            updated: number;
                            duplicates: number;
                            invalid: number;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                            lines: {
                                line: number;
                                login: string | null;
                                /** @enum {unknown} */
                                result: "imported" | "updated" | "duplicate" | "invalid";
                                accountId?: string;
                                error?: string;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    pool?: string;
                    status?: "active" | "disabled" | "retired" | "leased" | "available" | "cooling";
                    search?: string;
                    capability?: string;
                    region?: string;
                    /** @description accounts that reached their pool's daily limit for this model today */
                    limitReached?: string;
                    limit: number;
                    offset: number;
                    /** @description a page's `next`: the page after it (instead of an offset) */
                    after?: string;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                accountId: string;
                                poolId: string;
                                login: string;
                                /** @enum {unknown} */
                                status: "active" | "disabled" | "retired";
                                disabledReason: string | null;
                                capabilities: string[];
                                region: string | null;
                                cooldowns: {
                                    /** @description ISO 8601 time */
                                    until: string;
                                    reason: string;
                                    model?: string;
                                    endsOnProbe?: boolean;
                                }[];
                                /** @description ISO 8601 time */
                                cooldownUntil: string | null;
                                /** @description ISO 8601 time */
                                credentialsExpiresAt: string | null;
                                /** @description ISO 8601 time */
                                credentialsRotatedAt: string | null;
                                credentialsVersion: number;
                                credits: number | null;
                                /** @description ISO 8601 time */
                                creditsCheckedAt: string | null;
                                sessionId: string | null;
                                fence: number;
                                /** @description ISO 8601 time */
                                leasedUntil: string | null;
                                useCount: number;
                                /** @description ISO 8601 time */
                                lastUsed: string | null;
                                /** @description ISO 8601 time */
                                importedAt: string | null;
                                /** @description ISO 8601 time */
                                updatedAt: string | null;
                            }[];
                            total: number;
                            limit: number;
                            offset: number;
                            /** @description the cursor of the page after this one (`after`), null on the last page */
                            next: string | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            poolId: string;
                            login: string;
                            /** @enum {unknown} */
                            status: "active" | "disabled" | "retired";
                            disabledReason: string | null;
                            capabilities: string[];
                            region: string | null;
                            cooldowns: {
                                /** @description ISO 8601 time */
                                until: string;
                                reason: string;
                                model?: string;
                                endsOnProbe?: boolean;
                            }[];
                            /** @description ISO 8601 time */
                            cooldownUntil: string | null;
                            /** @description ISO 8601 time */
                            credentialsExpiresAt: string | null;
                            /** @description ISO 8601 time */
                            credentialsRotatedAt: string | null;
                            credentialsVersion: number;
                            credits: number | null;
                            /** @description ISO 8601 time */
                            creditsCheckedAt: string | null;
                            sessionId: string | null;
                            fence: number;
                            /** @description ISO 8601 time */
                            leasedUntil: string | null;
                            useCount: number;
                            /** @description ISO 8601 time */
                            lastUsed: string | null;
                            /** @description ISO 8601 time */
                            importedAt: string | null;
                            /** @description ISO 8601 time */
                            updatedAt: string | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            /** @enum {unknown} */
                            status: "active" | "disabled" | "retired";
                            changed: boolean;
                            events: string[];
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            /** @enum {unknown} */
                            status: "active" | "disabled" | "retired";
                            changed: boolean;
                            events: string[];
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/retire": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            /** @enum {unknown} */
                            status: "active" | "disabled" | "retired";
                            changed: boolean;
                            events: string[];
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/cooldown": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: date-time */
                        until?: string;
                        durationMs?: number;
                        reason: string;
                        model?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            /** @enum {unknown} */
                            status: "active" | "disabled" | "retired";
                            changed: boolean;
                            events: string[];
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete: {
            parameters: {
                query?: {
                    model?: string;
                };
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            /** @enum {unknown} */
                            status: "active" | "disabled" | "retired";
                            changed: boolean;
                            events: string[];
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/probe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            credits: number | null;
                            /** @description ISO 8601 time */
                            checkedAt: string | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{accountId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    days: number;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            model: string;
                            /** @description YYYY-MM-DD */
                            day: string;
                            units: number;
                            requests: number;
                            rate_limited: number;
                            failures: number;
                        }[];
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    status?: "live" | "released" | "expired";
                    holder?: string;
                    limit: number;
                    offset: number;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                poolId: string;
                                sessionId: string;
                                holder: string;
                                /** @enum {unknown} */
                                status: "live" | "released" | "expired";
                                leases: {
                                    accountId: string;
                                    fence: number;
                                }[];
                                /** @description ISO 8601 time */
                                expiresAt: string;
                                /** @description ISO 8601 time */
                                allocatedAt: string;
                                /** @description ISO 8601 time */
                                endedAt: string | null;
                                /** @description the leased accounts' logins, in lease order */
                                logins: string[];
                            }[];
                            total: number;
                            limit: number;
                            offset: number;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description letters, digits, `_.-`; up to 64 */
                        sessionId?: string;
                        count?: number;
                        ttlMs?: number;
                        waitMs?: number;
                        holder?: string;
                        capabilities?: string[];
                        region?: string;
                        model?: string;
                        /** @description skip accounts whose last probe found no credits */
                        needsCredits?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            poolId: string;
                            sessionId: string;
                            /** @description shown once; renew and release need it */
                            leaseSecret: string;
                            /** @description ISO 8601 time */
                            expiresAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                            leases: {
                                accountId: string;
                                fence: number;
                                login: string;
                                credentials: {
                                    password?: string;
                                    accessToken?: string;
                                    refreshToken?: string;
                                    idToken?: string;
                                    extra?: {
                                        [key: string]: string;
                                    };
                                } | null;
                                importedAt: string;
                                useCount: number;
                                /** @description ISO 8601 time */
                                lastUsed: string | null;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/sessions/{sessionId}/renew": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                    /** @description letters, digits, `_.-`; up to 64 */
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        leaseSecret: string;
                        ttlMs?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            sessionId: string;
                            /** @description ISO 8601 time */
                            expiresAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/sessions/{sessionId}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                    /** @description letters, digits, `_.-`; up to 64 */
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description required of an API key; an operator or admin may release without it */
                        leaseSecret?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            sessionId: string;
                            /** @description false when it had ended already */
                            released: boolean;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/sessions/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                    /** @description letters, digits, `_.-`; up to 64 */
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            poolId: string;
                            sessionId: string;
                            holder: string;
                            /** @enum {unknown} */
                            status: "live" | "released" | "expired";
                            leases: {
                                accountId: string;
                                fence: number;
                            }[];
                            /** @description ISO 8601 time */
                            expiresAt: string;
                            /** @description ISO 8601 time */
                            allocatedAt: string;
                            /** @description ISO 8601 time */
                            endedAt: string | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/sessions/{sessionId}/outcomes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                    /** @description letters, digits, `_.-`; up to 64 */
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        leaseSecret: string;
                        /** Format: uuid */
                        accountId: string;
                        /** @description `refused`: the upstream refused the account's credential (a 401); the account cools until its credentials are refreshed. `no_credits`: the upstream said the account has no credits left; it cools for every model for `cooldown.maxMs` */
                        outcome: "success" | "rate_limited" | "server_error" | "timeout" | "refused" | "no_credits";
                        model?: string;
                        units?: number;
                        retryAfterSeconds?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accountId: string;
                            events: string[];
                            cooldowns: {
                                /** @description ISO 8601 time */
                                until: string;
                                reason: string;
                                model?: string;
                                endsOnProbe?: boolean;
                            }[];
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            providerId: string;
                            limits: {
                                minRefreshIntervalMs: number;
                                maxConcurrency: number;
                                ratePerSecond: number;
                                burst: number;
                            };
                            can: {
                                register: boolean;
                                refresh: boolean;
                                probe: boolean;
                            };
                        }[];
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/flows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            active: number;
                            threads: number;
                            queued: number;
                            pacing: {
                                callsPerSecond: number | null;
                                waiting: number;
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/identities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    registered?: boolean;
                    limit: number;
                    offset: number;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                identityId: string;
                                email: string;
                                fields: string[];
                                registered: boolean;
                                /** @description ISO 8601 time */
                                importedAt: string | null;
                            }[];
                            total: number;
                            limit: number;
                            offset: number;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        identities?: {
                            email: string;
                            password?: string;
                            extra?: {
                                [key: string]: string;
                            };
                        }[];
                        /** @description email:password, one per line */
                        lines?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            imported: number;
                            duplicates: number;
                            invalid: number;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                            lines: {
                                line: number;
                                email: string | null;
                                /** @enum {unknown} */
                                result: "imported" | "duplicate" | "invalid";
                                identityId?: string;
                                error?: string;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools/{poolId}/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    limit: number;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            poolId: string;
                            providerId: string;
                            /** @enum {unknown} */
                            status: "running" | "paused" | "stopped" | "completed";
                            stalled: boolean;
                            config: {
                                [key: string]: unknown;
                            };
                            counts: {
                                succeeded: number;
                                failed: number;
                                retrying: number;
                                attempts: number;
                            };
                            /** @description ISO 8601 time */
                            startedAt: string | null;
                            /** @description ISO 8601 time */
                            updatedAt: string | null;
                            /** @description ISO 8601 time */
                            endedAt: string | null;
                            supervisor: {
                                nodeId: string;
                                /** @description ISO 8601 time */
                                heartbeatAt: string | null;
                            } | null;
                        }[];
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description letters, digits, `_.-`; up to 64 */
                        jobId?: string;
                        /** @description flows at once (worker threads) */
                        concurrency: number;
                        /** @description attempts after the first, for retryable errors */
                        retries: number;
                        backoffMs?: number;
                        continuous?: boolean;
                        pollIntervalMs?: number;
                        limit?: number;
                        stallAfterMs?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            config: {
                                [key: string]: unknown;
                            };
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            poolId: string;
                            providerId: string;
                            /** @enum {unknown} */
                            status: "running" | "paused" | "stopped" | "completed";
                            stalled: boolean;
                            config: {
                                [key: string]: unknown;
                            };
                            counts: {
                                succeeded: number;
                                failed: number;
                                retrying: number;
                                attempts: number;
                            };
                            /** @description ISO 8601 time */
                            startedAt: string | null;
                            /** @description ISO 8601 time */
                            updatedAt: string | null;
                            /** @description ISO 8601 time */
                            endedAt: string | null;
                            supervisor: {
                                nodeId: string;
                                /** @description ISO 8601 time */
                                heartbeatAt: string | null;
                            } | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{jobId}/attempts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    /** @description seq of the last attempt seen */
                    after: number;
                    limit: number;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            seq: number;
                            identityId: string;
                            email: string;
                            attempt: number;
                            /** @enum {unknown} */
                            outcome: "succeeded" | "retrying" | "failed";
                            step: string;
                            durationMs: number;
                            error: string | null;
                            /** @description ISO 8601 time */
                            retryAt: string | null;
                            /** @description ISO 8601 time */
                            at: string | null;
                        }[];
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{jobId}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            events: string[];
                            status: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{jobId}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            events: string[];
                            status: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{jobId}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            events: string[];
                            status: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/allocate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description letters, digits, `_.-`; up to 64 */
                        session_id?: string;
                        count?: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            success: boolean;
                            message: string;
                            session_id: string | null;
                            accounts: {
                                email: string;
                                local_id: string;
                                id_token: string | null;
                                refresh_token: string | null;
                                status: string;
                                created_at: string | null;
                                last_used: string | null;
                                last_refresh_time: string | null;
                                use_count: number;
                                session_id: string | null;
                            }[];
                            lease_secret?: string;
                            expires_at?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description letters, digits, `_.-`; up to 64 */
                        session_id: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            success: boolean;
                            message: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            pool_stats: {
                                available: number;
                                in_use: number;
                                total: number;
                            };
                            active_sessions: number;
                            running: boolean;
                            min_pool_size: number;
                            accounts_per_request: number;
                            health: string;
                            timestamp: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/refresh-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email?: string;
                        force?: boolean;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            success: boolean;
                            message: string;
                            result?: {
                                accountId: string;
                                outcome: string;
                                detail?: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            success: boolean;
                            message: string;
                            result?: {
                                accountId: string;
                                outcome: string;
                                detail?: string;
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/replenish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        count?: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            success: boolean;
                            message: string;
                            requested: number;
                            registering: number;
                            job_id: string | null;
                        };
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            success: boolean;
                            message: string;
                            requested: number;
                            registering: number;
                            job_id: string | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/{email}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    email: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            email: string;
                            local_id: string;
                            id_token: string | null;
                            refresh_token: string | null;
                            status: string;
                            created_at: string | null;
                            last_used: string | null;
                            last_refresh_time: string | null;
                            use_count: number;
                            session_id: string | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accessToken: string;
                            refreshToken: string;
                            /** @enum {string} */
                            tokenType: "bearer";
                            expiresIn: number;
                            user: {
                                userId: string;
                                email: string;
                                role: string;
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        refreshToken: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accessToken: string;
                            refreshToken: string;
                            /** @enum {string} */
                            tokenType: "bearer";
                            expiresIn: number;
                            user: {
                                userId: string;
                                email: string;
                                role: string;
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        refreshToken: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            userId: string;
                            email: string;
                            role: string;
                            verified: boolean;
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        currentPassword: string;
                        newPassword: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            message: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            message: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password-reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            message: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password-reset/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                        newPassword: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            message: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/mail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    to?: string;
                    limit: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                mailId: string;
                                to: string;
                                subject: string;
                                text: string;
                                createdAt: string;
                                sentAt: string | null;
                                attempts: number;
                                lastError: string | null;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    role?: "admin" | "operator" | "viewer" | "member";
                    status?: "active" | "disabled";
                    /** @description part of the email */
                    search?: string;
                    /** @description the user holding the API key of this prefix (`rk_` and 8 digits: the prefix, never the key) */
                    keyPrefix?: string;
                    /** @description the `next` of the page before */
                    after?: string;
                    limit: number;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                userId: string;
                                email: string;
                                role: string;
                                status: string;
                                verified: boolean;
                                limits: {
                                    requestsPerMinute?: number;
                                    tokensPerMinute?: number;
                                    concurrentRequests?: number;
                                    concurrentSessions?: number;
                                    budget?: {
                                        units: number;
                                        /** @enum {unknown} */
                                        period: "day" | "month";
                                    };
                                };
                                createdAt: string;
                            }[];
                            next: string | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{userId}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            userId: string;
                            status: string;
                            role: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{userId}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            userId: string;
                            status: string;
                            role: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {unknown} */
                        role?: "admin" | "operator" | "viewer" | "member";
                        limits?: {
                            requestsPerMinute?: number;
                            tokensPerMinute?: number;
                            concurrentRequests?: number;
                            concurrentSessions?: number;
                            budget?: {
                                units: number;
                                /** @enum {unknown} */
                                period: "day" | "month";
                            };
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            userId: string;
                            status: string;
                            role: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        username: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            access_token: string;
                            refresh_token: string;
                            /** @enum {string} */
                            token_type: "bearer";
                            expires_in: number;
                            user: {
                                id: string;
                                username: string;
                                email: string;
                                role: string;
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        refresh_token: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            access_token: string;
                            refresh_token: string;
                            /** @enum {string} */
                            token_type: "bearer";
                            expires_in: number;
                            user: {
                                id: string;
                                username: string;
                                email: string;
                                role: string;
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        refresh_token: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            message: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            message: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            username: string;
                            email: string;
                            role: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/check-username": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    username: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            username: string;
                            available: boolean;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                keyId: string;
                                userId: string;
                                name: string;
                                prefix: string;
                                status: "active" | "revoked" | "expired";
                                scopes: {
                                    pools: string[] | null;
                                    models: string[] | null;
                                    readOnly: boolean;
                                };
                                limits: {
                                    requestsPerMinute?: number;
                                    tokensPerMinute?: number;
                                    concurrentRequests?: number;
                                    concurrentSessions?: number;
                                    budget?: {
                                        units: number;
                                        /** @enum {unknown} */
                                        period: "day" | "month";
                                    };
                                };
                                expiresAt: string | null;
                                createdAt: string;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        scopes?: {
                            pools: string[] | null;
                            models: string[] | null;
                            readOnly: boolean;
                        };
                        limits?: {
                            requestsPerMinute?: number;
                            tokensPerMinute?: number;
                            concurrentRequests?: number;
                            concurrentSessions?: number;
                            budget?: {
                                units: number;
                                /** @enum {unknown} */
                                period: "day" | "month";
                            };
                        };
                        /** Format: date-time */
                        expiresAt?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                            /** @description the key itself: shown this once */
                            key: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            budget: {
                                period: string;
                                units: number;
                                spent: number;
                                reserved: number;
                            } | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        scopes?: {
                            pools: string[] | null;
                            models: string[] | null;
                            readOnly: boolean;
                        };
                        limits?: {
                            requestsPerMinute?: number;
                            tokensPerMinute?: number;
                            concurrentRequests?: number;
                            concurrentSessions?: number;
                            budget?: {
                                units: number;
                                /** @enum {unknown} */
                                period: "day" | "month";
                            };
                        };
                        /** Format: date-time */
                        expiresAt?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/keys/{keyId}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                            /** @description the key itself: shown this once */
                            key: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{userId}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                keyId: string;
                                userId: string;
                                name: string;
                                prefix: string;
                                status: "active" | "revoked" | "expired";
                                scopes: {
                                    pools: string[] | null;
                                    models: string[] | null;
                                    readOnly: boolean;
                                };
                                limits: {
                                    requestsPerMinute?: number;
                                    tokensPerMinute?: number;
                                    concurrentRequests?: number;
                                    concurrentSessions?: number;
                                    budget?: {
                                        units: number;
                                        /** @enum {unknown} */
                                        period: "day" | "month";
                                    };
                                };
                                expiresAt: string | null;
                                createdAt: string;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        scopes?: {
                            pools: string[] | null;
                            models: string[] | null;
                            readOnly: boolean;
                        };
                        limits?: {
                            requestsPerMinute?: number;
                            tokensPerMinute?: number;
                            concurrentRequests?: number;
                            concurrentSessions?: number;
                            budget?: {
                                units: number;
                                /** @enum {unknown} */
                                period: "day" | "month";
                            };
                        };
                        /** Format: date-time */
                        expiresAt?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                            /** @description the key itself: shown this once */
                            key: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{userId}/keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            budget: {
                                period: string;
                                units: number;
                                spent: number;
                                reserved: number;
                            } | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        scopes?: {
                            pools: string[] | null;
                            models: string[] | null;
                            readOnly: boolean;
                        };
                        limits?: {
                            requestsPerMinute?: number;
                            tokensPerMinute?: number;
                            concurrentRequests?: number;
                            concurrentSessions?: number;
                            budget?: {
                                units: number;
                                /** @enum {unknown} */
                                period: "day" | "month";
                            };
                        };
                        /** Format: date-time */
                        expiresAt?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/users/{userId}/keys/{keyId}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keyId: string;
                            userId: string;
                            name: string;
                            prefix: string;
                            status: "active" | "revoked" | "expired";
                            scopes: {
                                pools: string[] | null;
                                models: string[] | null;
                                readOnly: boolean;
                            };
                            limits: {
                                requestsPerMinute?: number;
                                tokensPerMinute?: number;
                                concurrentRequests?: number;
                                concurrentSessions?: number;
                                budget?: {
                                    units: number;
                                    /** @enum {unknown} */
                                    period: "day" | "month";
                                };
                            };
                            expiresAt: string | null;
                            createdAt: string;
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                            /** @description the key itself: shown this once */
                            key: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage/gateway": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    keyId?: string;
                    /** @description one user's keys (a member sees only its own) */
                    userId?: string;
                    model?: string;
                    from?: string;
                    to?: string;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                keyId: string;
                                userId: string;
                                model: string;
                                day: string;
                                requests: number;
                                failures: number;
                                inputTokens: number;
                                outputTokens: number;
                                estimated: number;
                                spend: number;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            key_prefix: string;
                            is_active: boolean;
                            created_at: string;
                            expires_at: string | null;
                        }[];
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        expires_in_days?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            key_prefix: string;
                            is_active: boolean;
                            created_at: string;
                            expires_at: string | null;
                            key: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            message: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/gateway": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Where clients reach the gateway, with a Roster API key (members may read it too) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description for OpenAI's SDKs (`baseURL`): the address and `/v1`; null while the gateway does not listen */
                            baseUrl: string | null;
                            /** @description for Anthropic's SDKs, which add `/v1` themselves */
                            anthropicBaseUrl: string | null;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/gateway/routes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description the name clients ask for; usage is counted under it */
                                model: string;
                                aliases: string[];
                                upstreamModel: string;
                                pools: {
                                    poolId: string;
                                    weight: number;
                                    priority: number;
                                    /** @description the model's name at this pool's upstream */
                                    upstreamModel: string;
                                }[];
                                price: {
                                    /** @description budget units per million tokens */
                                    inputPerMillion: number;
                                    /** @description budget units per million tokens */
                                    outputPerMillion: number;
                                    /** @description budget units per million tokens */
                                    batchInputPerMillion?: number;
                                    /** @description budget units per million tokens */
                                    batchOutputPerMillion?: number;
                                } | null;
                                /** @description config: ROSTER_GATEWAY_ROUTES (fixed); api: set through this API */
                                source: "config" | "api";
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/gateway/routes/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** @description Makes or replaces a route (and its price) that is not in configuration; in effect on this node at once, on the others within the log tail's delay. */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description the route's name (URL-encoded) */
                    model: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        pools: (string | {
                            pool: string;
                            weight?: number;
                            priority?: number;
                            upstreamModel?: string;
                        })[];
                        upstreamModel?: string;
                        aliases?: string[];
                        price?: {
                            /** @description budget units per million tokens */
                            inputPerMillion: number;
                            /** @description budget units per million tokens */
                            outputPerMillion: number;
                            /** @description budget units per million tokens */
                            batchInputPerMillion?: number;
                            /** @description budget units per million tokens */
                            batchOutputPerMillion?: number;
                        } | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description the name clients ask for; usage is counted under it */
                            model: string;
                            aliases: string[];
                            upstreamModel: string;
                            pools: {
                                poolId: string;
                                weight: number;
                                priority: number;
                                /** @description the model's name at this pool's upstream */
                                upstreamModel: string;
                            }[];
                            price: {
                                /** @description budget units per million tokens */
                                inputPerMillion: number;
                                /** @description budget units per million tokens */
                                outputPerMillion: number;
                                /** @description budget units per million tokens */
                                batchInputPerMillion?: number;
                                /** @description budget units per million tokens */
                                batchOutputPerMillion?: number;
                            } | null;
                            /** @description config: ROSTER_GATEWAY_ROUTES (fixed); api: set through this API */
                            source: "config" | "api";
                            /** @description an event-store position, as a command answer gives it (empty: the start of the log) */
                            position?: string;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description the route's name (URL-encoded) */
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/gateway/routes/{model}/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** @description Asks each pool's upstream for its model list (`GET /v1/models`, no tokens spent) through its active accounts the gateway could use now, up to three until one answers: is the pool's upstream model on it? */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description the route's name (URL-encoded) */
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            model: string;
                            pools: {
                                poolId: string;
                                upstreamModel: string;
                                /** @description the account that asked */
                                accountId: string | null;
                                /** @description listed: the upstream lists the model; not_listed: it answered without it; failed: no model list came; unchecked: nothing to ask with */
                                result: "listed" | "not_listed" | "failed" | "unchecked";
                                /** @description the upstream's status */
                                status: number | null;
                                latencyMs: number | null;
                                detail: string;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/gateway/routes/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** @description Checks every route as `POST /v1/gateway/routes/{model}/check` does, each pool asked once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                model: string;
                                pools: {
                                    poolId: string;
                                    upstreamModel: string;
                                    /** @description the account that asked */
                                    accountId: string | null;
                                    /** @description listed: the upstream lists the model; not_listed: it answered without it; failed: no model list came; unchecked: nothing to ask with */
                                    result: "listed" | "not_listed" | "failed" | "unchecked";
                                    /** @description the upstream's status */
                                    status: number | null;
                                    latencyMs: number | null;
                                    detail: string;
                                }[];
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/gateway/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The requests the gateway forwarded, newest first, kept `ROSTER_GATEWAY_REQUEST_LOG_DAYS` days (written within `ROSTER_GATEWAY_FLUSH_MS`) */
        get: {
            parameters: {
                query: {
                    /** @description the `x-roster-request-id` a client was answered */
                    requestId?: string;
                    /** @description one user's requests (a member sees only its own) */
                    userId?: string;
                    keyId?: string;
                    model?: string;
                    /** @description letters, digits, `_.-`; up to 64 */
                    pool?: string;
                    account?: string;
                    status?: number;
                    /** @description from this instant (inclusive) */
                    from?: string;
                    /** @description up to this instant (exclusive) */
                    to?: string;
                    /** @description the `next` of the page before */
                    before?: number;
                    limit: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description the row's place in the log: `before` of the next page */
                                seq: number;
                                /** @description the `x-roster-request-id` the client was answered, the `reqId` of the log line */
                                requestId: string;
                                /**
                                 * Format: date-time
                                 * @description when the request came
                                 */
                                at: string;
                                userId: string;
                                keyId: string;
                                method: string;
                                /** @description the path asked for, without the query */
                                path: string;
                                model: string | null;
                                /** @description null for a member */
                                poolId: string | null;
                                /** @description the account of the last try; null for a member */
                                accountId: string | null;
                                status: number;
                                /** @description the status, or `client_closed`, `failed_mid_stream` */
                                outcome: string;
                                tries: number;
                                inputTokens: number | null;
                                outputTokens: number | null;
                                estimated: boolean;
                                spend: number | null;
                                durationMs: number;
                                /** @description the upstream's own id of the request */
                                upstreamRequestId: string | null;
                            }[];
                            next?: number;
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/gateway/upstreams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    /** @description letters, digits, `_.-`; up to 64 */
                    pool?: string;
                    model?: string;
                    /** @description a usage day, YYYY-MM-DD */
                    from?: string;
                    /** @description a usage day, YYYY-MM-DD */
                    to?: string;
                    limit: number;
                    /** @description wait until read models reach this position (from a command answer) */
                    position?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                poolId: string;
                                accountId: string;
                                login: string | null;
                                model: string;
                                day: string;
                                tries: number;
                                failures: number;
                                /** @description failures / tries */
                                errorRate: number;
                                /** @description failures the upstream answered 429 */
                                rateLimited: number;
                                /** @description failures that timed out */
                                timeouts: number;
                                /** @description the rest: 5xx, refused connections or credentials, streams broken off */
                                otherFailures: number;
                            }[];
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** OAuth 2.0 token endpoint (password and refresh_token grants) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            access_token: string;
                            /** @enum {string} */
                            token_type: "Bearer";
                            expires_in: number;
                            refresh_token: string;
                            scope: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in to the console (cookies) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            csrfToken: string;
                            expiresIn: number;
                            user: {
                                userId: string;
                                email: string;
                                role: string;
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/session/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Renew the console's session (cookies) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            csrfToken: string;
                            expiresIn: number;
                            user: {
                                userId: string;
                                email: string;
                                role: string;
                            };
                        };
                    };
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/session/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out of the console */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description problem+json */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
                /** @description problem+json */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            type: string;
                            title: string;
                            status: number;
                            detail: string;
                            code: string;
                            errors?: {
                                field: string;
                                message: string;
                                in?: string;
                            }[];
                            /** @description the existing account-pool API only */
                            success?: boolean;
                            /** @description the existing account-pool API only */
                            message?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
