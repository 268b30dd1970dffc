/**
 * GENERATED FILE, do not edit: the Propel API's /openapi.json as TypeScript types (openapi-typescript).
 * Regenerate after changing a route with:  npm run client:generate
 * (scripts/generate-client.ts; test/client.test.ts fails while this file is stale).
 */

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["getHealth"];
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
        /** Prometheus metrics: requests by route and status, latency histograms, predictions by model version (no customer data, no key) */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness: the store answers a query and the serving models are the registry’s current versions
         * @description Answers 503 when the store does not answer, or when a target has a current version in the registry that is not the one serving (trained and promoted on disk but not yet loaded — POST /v1/models/reload — or its load failed).
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The action catalog and contact policy the decisions use */
        get: operations["listActions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audiences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * High-potential customers by potential tier with filters: a paged list, or a streamed CSV / NDJSON export
         * @description Customers of the scored base whose potential tier is one of `tier` (default super_user,high) and who meet every other filter given, ordered by potential index descending, then customer_id ascending. Rows carry customer ids and scores only, never contact data.
         *
         *     JSON answers one page (`limit`, default 100, at most 1000) with `next_cursor`; `text/csv` and `application/x-ndjson` (by `format` or the Accept header) stream every matching row from the cursor on (or the first `limit`), with a fixed CSV header; empty values are empty cells, tags and consented channels are joined with `|`. Numbers are rounded as in the score file (probabilities 6 decimals, expected purchases 4, CLV and scores 2).
         *
         *     The list reads the scored base (as of `as_of`): customers changed through the API since the last rescoring show their new scores only after the next refresh. Cursors keep working across a refresh (they hold the last sort key, not a position). A filter on a prediction excludes customers without that value (no model, or an empty prediction). Unknown query parameters are rejected, so a misspelt filter never widens the audience.
         */
        get: operations["listAudience"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/customers/{customer_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A customer's profile: every score, tag and feature, with the reasons */
        get: operations["getCustomerProfile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ingest behaviour events
         * @description Valid events land; each invalid one is reported by its index and field path (events.3.ts) and the rest still land. Re-sending an event_id adds nothing.
         */
        post: operations["ingestEvents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/experiments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Uplift per action: conversion in treatment vs the control group with 95% intervals */
        get: operations["getExperimentReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Registered versions per target, which is current, and which is serving */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{target}/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make a version current and serve it (refused when it does not beat its baseline, unless force) */
        post: operations["promoteModel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{target}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Go back to the previously promoted version and serve it */
        post: operations["rollbackModel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/reload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Load the registry's current versions (e.g. after npm run train); a broken artifact is refused and the serving models stay */
        post: operations["reloadModels"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/next-best-action": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The ranked actions for a customer in a context (channel, placement), with the reasons, or why nothing qualified
         * @description priority = P(response) × value × context weight × lever − cost, after eligibility, consent, frequency caps and cooldowns. A deterministic control group (hash of the customer id) gets no action; `withheld` lists what it would have got. Record what happens with POST /v1/outcomes and the decision_id.
         */
        post: operations["decideNextBestAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/outcomes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record shown / accepted / rejected / converted (with value) for actions of earlier decisions
         * @description Each outcome names the decision_id and an action it offered (in the control group: an action it withheld — record the moment the action would have been shown as `shown`, and a conversion that happens anyway as `converted`). Valid outcomes land even when others in the same request are rejected; repeats are counted as duplicates. Treatment outcomes feed the contact policy (caps, cooldowns) and the learning of response rates.
         */
        post: operations["recordOutcomes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Purchase and churn probabilities and CLV for one or many customers, with the model versions
         * @description Up to 1000 customer ids per request. Values come from the scored base, or from a fresh rebuild for customers whose events arrived since it was scored. Unknown ids are reported in not_found; the rest are answered. Duplicate ids are answered once.
         */
        post: operations["predict"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/summary/funnel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Funnel aware → trial → joined → loyal with step conversion, and the referral hourglass */
        get: operations["getFunnelSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/summary/segments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Segment shares, value and potential tiers, the Pareto figure and tag counts for the whole base */
        get: operations["getSegmentSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AudienceMember: {
            /** @description null without a churn model or value */
            churn_probability: number | null;
            consents: {
                email: boolean;
                line: boolean;
                push: boolean;
                sms: boolean;
            };
            customer_id: string;
            expected_purchases: number | null;
            /** @enum {string|null} */
            lifecycle_segment: "new" | "core" | "dozing" | "half_asleep" | "sleeping" | null;
            p_alive: number | null;
            /** @description potential index P 0–100 (the order of the list, descending) */
            potential_index: number;
            /** @enum {string} */
            potential_tier: "super_user" | "high" | "medium" | "low";
            predicted_clv: number | null;
            /** @description null without a purchase model or value */
            purchase_probability: number | null;
            rfm_score: string | null;
            /** @enum {string|null} */
            rfm_segment: "champions" | "loyal" | "potential_loyalist" | "new_customers" | "promising" | "need_attention" | "about_to_sleep" | "at_risk" | "cannot_lose_them" | "hibernating" | "lost" | null;
            super_user_score: number | null;
            /** @description tags as shown, e.g. category_fan:Books */
            tags: string[];
            /** @enum {string|null} */
            value_tier: "diamond" | "gold" | "general" | null;
        };
        AudiencePage: {
            /** @description the day the scores are computed as of; the list reads the scored base of that day */
            as_of: string;
            /** @description in order: potential index descending, then customer_id ascending */
            items: components["schemas"]["AudienceMember"][];
            /** @description pass as `cursor` for the next page; null on the last page */
            next_cursor: string | null;
            /** @description customers matching the filters in the whole base (not only this page) */
            total: number;
        };
        CustomerProfile: {
            /** @description the day the scores are computed as of (events up to its end) */
            as_of: string;
            /** @description the id the person is listed under (audiences, score file); after a merge of two customers it can differ from the id asked for */
            customer_id: string;
            /** @description per prediction: the top features pushing the probability up or down (effect in log-odds), and a sentence on the CLV */
            explanations: {
                [key: string]: unknown;
            } | null;
            /** @description the behaviour features behind the scores */
            features: {
                [key: string]: number | string | null;
            };
            model_versions: components["schemas"]["ModelVersions"];
            person_id: number;
            /** @description model predictions; null until models are trained */
            predictions: {
                [key: string]: number | null;
            } | null;
            /** @description rule scores, tags and the reason behind each */
            scores: {
                customer_id: string;
                /** @enum {string|null} */
                funnel_stage: "aware" | "trial" | "joined" | "loyal" | null;
                /** @enum {string|null} */
                lifecycle_segment: "new" | "core" | "dozing" | "half_asleep" | "sleeping" | null;
                pareto_top: boolean;
                person_id: number;
                potential: {
                    /** @description potential index P: the super-user score, blended with model predictions when present */
                    index: number;
                    /** @description model predictions blended into the index; null when none */
                    predictions: {
                        churn_probability: number | null;
                        clv_percentile: number | null;
                        /** @description no churn probability because the customer has no event in the churn model's active window: retention counted 0 */
                        lapsed: boolean;
                        purchase_probability: number | null;
                    } | null;
                    strategy: string;
                    /** @enum {string} */
                    tier: "super_user" | "high" | "medium" | "low";
                } | null;
                /** @enum {string|null} */
                potential_tier: "super_user" | "high" | "medium" | "low" | null;
                reasons: {
                    funnel_stage: string;
                    lifecycle_segment: string;
                    potential_tier: string;
                    rfm_score: string;
                    rfm_segment: string;
                    super_user_score: string;
                    value_tier: string;
                } | null;
                rfm_f: number | null;
                rfm_m: number | null;
                rfm_r: number | null;
                /** @description recency, frequency, monetary quintiles 1–5, e.g. "545"; null without purchases */
                rfm_score: string | null;
                /** @enum {string|null} */
                rfm_segment: "champions" | "loyal" | "potential_loyalist" | "new_customers" | "promising" | "need_attention" | "about_to_sleep" | "at_risk" | "cannot_lose_them" | "hibernating" | "lost" | null;
                super_user: {
                    /** @description points per dimension; they sum to the score; null when left out or skipped */
                    contributions: {
                        consumption: number | null;
                        engagement: number | null;
                        loyalty: number | null;
                        social: number | null;
                    };
                    /** @description standing 0–100 on each dimension before weighting (e.g. social is the social score); null when left out or skipped */
                    dimensions: {
                        consumption: number | null;
                        engagement: number | null;
                        loyalty: number | null;
                        social: number | null;
                    };
                    /** @description dimensions left out for the whole base (no sub-measure with data and a weight above 0); their weight is shared out */
                    left_out: ("consumption" | "engagement" | "social" | "loyalty")[];
                    left_out_measures: ("purchases_365" | "revenue_365" | "distinct_products_all" | "margin_rate_all" | "visits_90" | "app_time_s_90" | "content_interactions_90" | "event_participations_365" | "referrals_all" | "referred_buyers_all" | "shares_all" | "reviews_all" | "tenure_days" | "competitor_resistance" | "feedback_all" | "support_satisfaction")[];
                    score: number;
                    /** @description sub-measures (or whole dimensions) empty for this customer */
                    skipped: string[];
                } | null;
                /** @description super-user potential score 0–100 */
                super_user_score: number | null;
                tags: {
                    id: string;
                    reason: string | null;
                    strength: number | null;
                    tag: string;
                }[];
                /** @enum {string|null} */
                value_tier: "diamond" | "gold" | "general" | null;
            };
        };
        Error: {
            error: {
                /** @example invalid_input */
                code: string;
                issues: {
                    message: string;
                    path: (string | number)[];
                }[];
                message: string;
            };
        };
        EventInput: {
            action_id?: string | number | boolean | null;
            amount?: string | number | boolean | null;
            campaign_id?: string | number | boolean | null;
            category?: string | number | boolean | null;
            channel?: string | number | boolean | null;
            customer_id?: string | number | boolean | null;
            duration_s?: string | number | boolean | null;
            email?: string | number | boolean | null;
            event_id?: string | number | boolean | null;
            margin?: string | number | boolean | null;
            member_id?: string | number | boolean | null;
            phone?: string | number | boolean | null;
            product_id?: string | number | boolean | null;
            quantity?: string | number | boolean | null;
            rating?: string | number | boolean | null;
            related_customer_id?: string | number | boolean | null;
            /** @example 2024-05-01T10:15:00Z */
            ts: string;
            /**
             * @example purchase
             * @enum {string}
             */
            type: "purchase" | "refund" | "visit" | "app_session" | "content_interaction" | "event_participation" | "referral" | "share" | "review" | "feedback" | "support_ticket" | "signup" | "trial" | "campaign_sent" | "campaign_opened" | "campaign_clicked" | "campaign_converted";
        };
        FeatureEffect: {
            /** @enum {string} */
            direction: "up" | "down";
            /** @description change in log-odds from this feature's value versus the training average */
            effect: number;
            feature: string;
        };
        FunnelSummary: {
            as_of: string | null;
            funnel: {
                customers: number;
                overall_conversion: number | null;
                stages: {
                    conversion_from_previous: number | null;
                    reached: number;
                    /** @enum {string} */
                    stage: "aware" | "trial" | "joined" | "loyal";
                }[];
            };
            hourglass: {
                loyal_customers: number;
                loyal_referrer_share: number | null;
                loyal_referrers: number;
                loyal_share_of_referred_buyers: number | null;
                referrals_all: number;
                referrals_by_loyal: number;
                referred_buyer_conversion: number | null;
                referred_buyers_all: number;
                referred_buyers_by_loyal: number;
            };
        };
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        IngestRequest: {
            /** @description 1 to 10000 events; each is judged on its own */
            events: components["schemas"]["EventInput"][];
        };
        IngestResult: {
            /** @description the ingest batch that holds these events (shared with requests_in_batch − 1 others) */
            batch_id: number;
            /** @description purchases in this request recorded as the conversion of an action shown to the customer shortly before (next-best-action attribution window) */
            conversions_attributed: number;
            /** @description this request's events skipped: their event_id was stored already, earlier in this request, or by a request before it in the batch */
            duplicates: number;
            /** @description this request's events written */
            ingested: number;
            issues: {
                message: string;
                path: (string | number)[];
            }[];
            /** @description people merged by the whole batch */
            merges: number;
            /** @description people created by the whole batch */
            persons_created: number;
            read: number;
            rejected: number;
            /** @description requests written together in this batch: requests arriving while a batch is written go into the next one together (group commit) */
            requests_in_batch: number;
        };
        ModelSwitch: {
            changed: boolean;
            forced: boolean;
            previous: string | null;
            serving: components["schemas"]["ServingModels"];
            /** @enum {string} */
            target: "purchase" | "churn" | "clv";
            version: string;
        };
        /** @description the model version that answered each target; null when no model of that target is serving */
        ModelVersions: {
            churn: string | null;
            clv: string | null;
            purchase: string | null;
        };
        NextBestAction: {
            /** @description ranked by priority, highest first (ties by action_id); empty in the control group */
            actions: {
                action_id: string;
                /** @enum {string} */
                channel: "email" | "sms" | "line" | "push" | "web" | "app" | "store";
                context_weight: number;
                cost: number;
                description: string;
                lever: number;
                /** @enum {string} */
                octalysis_drive: "meaning" | "accomplishment" | "creativity" | "ownership" | "social_influence" | "scarcity" | "unpredictability" | "avoidance";
                /** @description P(response) from the models (or base rates) before learning; record it with the outcome */
                p_model: number;
                /** @description P(response | customer, action) after learning */
                p_response: number;
                /** @description p_response × value × context_weight × lever − cost */
                priority: number;
                reasons: string[];
                value: number;
            }[];
            /** @description the day the scores behind the decision are computed as of */
            as_of: string;
            context: {
                /**
                 * @description channel of the touchpoint asking for a decision
                 * @enum {string}
                 */
                channel: "email" | "sms" | "line" | "push" | "web" | "app" | "store";
                /** @description slot within it, e.g. home_banner, outbound, app_home, call_list */
                placement: string;
            };
            control_group: boolean;
            customer_id: string;
            decided_at: string;
            /** @description record outcomes against this id */
            decision_id: string;
            excluded: {
                action_id: string;
                codes: ("disabled" | "placement" | "eligibility" | "consent" | "frequency_cap" | "cooldown" | "priority")[];
                reasons: string[];
            }[];
            explanation: string;
            model_versions: components["schemas"]["ModelVersions"];
            segment: string;
            /** @description control group only: what would have been offered, to record outcomes against (with the decision_id; the decision keeps the group) */
            withheld: {
                action_id: string;
                priority: number;
            }[];
        };
        NextBestActionRequest: {
            /**
             * @example {
             *       "channel": "email",
             *       "placement": "outbound"
             *     }
             */
            context: {
                /**
                 * @description channel of the touchpoint asking for a decision
                 * @enum {string}
                 */
                channel: "email" | "sms" | "line" | "push" | "web" | "app" | "store";
                /** @description slot within it, e.g. home_banner, outbound, app_home, call_list */
                placement: string;
            };
            /** @example 12347 */
            customer_id: string;
            /** @description decide as of this moment (replays, tests); default now; at most 24 h ahead of the server time; a replay sees the contacts of the history window back from the server's clock */
            now?: string;
        };
        OutcomeInput: {
            /** @description an action the decision ranked (or withheld, in the control group) */
            action_id: string;
            /** @description from the next-best-action answer */
            decision_id: string;
            /**
             * @description shown (delivered; for the control group: when it would have been), accepted, rejected, converted
             * @enum {string}
             */
            outcome: "shown" | "accepted" | "rejected" | "converted";
            /** @description when it happened; default now; at most 24 h after the server time and no earlier than 5 min before its decision */
            ts?: string;
            /** @description revenue of a conversion; only with outcome converted */
            value?: number;
        };
        OutcomesRequest: {
            /** @description 1 to 10000 outcomes; each is judged on its own */
            outcomes: components["schemas"]["OutcomeInput"][];
        };
        OutcomesResult: {
            /** @description outcomes recorded before (same decision, action and outcome): nothing changed */
            duplicates: number;
            issues: {
                message: string;
                path: (string | number)[];
            }[];
            received: number;
            recorded: number;
            rejected: number;
        };
        Prediction: {
            /** @description the day the features are computed as of (events up to its end) */
            as_of: string;
            /** @description probability of no activity within the churn horizon, for customers active in the active window before the as-of day (the model's population); null without a model and for a customer already inactive (see potential.predictions.lapsed in the profile) */
            churn_probability: number | null;
            /** @description the id as asked */
            customer_id: string;
            /** @description expected purchases over the CLV horizon (BG/NBD); null when it cannot be computed */
            expected_purchases: number | null;
            /** @description only with explain: true; a target without a model, or without a prediction for this customer, is left out */
            explanations?: {
                churn_probability?: components["schemas"]["FeatureEffect"][];
                predicted_clv?: string;
                purchase_probability?: components["schemas"]["FeatureEffect"][];
            };
            /** @description probability the customer is still active (BG/NBD); null when no model answers it */
            p_alive: number | null;
            /** @description the resolved person (two ids of one merged person share it) */
            person_id: number;
            /** @description predicted value over the CLV horizon; null for a customer with no purchase or without a CLV model */
            predicted_clv: number | null;
            /** @description probability of a purchase within the purchase horizon; null when no model answers it */
            purchase_probability: number | null;
        };
        PredictionRequest: {
            /**
             * @description 1 to 1000 customer ids. Each distinct id is answered once, in the order first asked; an id the store does not know is listed in not_found and the others are still answered.
             * @example [
             *       "12347",
             *       "12348"
             *     ]
             */
            customer_ids: string[];
            /**
             * @description also give, per probability, the top 5 features pushing it up or down, and a sentence on the CLV
             * @default false
             */
            explain?: boolean;
        };
        PredictionResult: {
            model_versions: components["schemas"]["ModelVersions"];
            /** @description ids the store does not know (each once, at its first position) */
            not_found: {
                customer_id: string;
                /** @description position of the id in customer_ids */
                index: number;
            }[];
            /** @description one per distinct known id, in request order */
            results: components["schemas"]["Prediction"][];
        };
        Readiness: {
            /** @description ready when every check is true */
            checks: {
                /** @description every target with a current version in the registry serves exactly that version (false after a promote on disk not yet reloaded, or a failed load); true without model operations */
                models: boolean;
                /** @description the store answers a query */
                store: boolean;
            };
            /** @description present when the service has model operations */
            models?: {
                /** @description each target whose registry version is not the one serving, and why (empty when ready) */
                not_serving: {
                    /** @description why: the error code of the refused load (corrupt_artifact, schema_mismatch, ...), or not_loaded for a version promoted on disk and not reloaded since */
                    code: string;
                    /** @description the same in a sentence */
                    reason: string;
                    /** @description the version serving instead; null for none (that target’s predictions are empty) */
                    serving: string | null;
                    /** @enum {string} */
                    target: "purchase" | "churn" | "clv";
                    /** @description the registry's current version */
                    version: string;
                }[];
                /** @description why the registry could not be read */
                problem?: string;
                /** @description the registry's current versions */
                registry: {
                    churn: string | null;
                    clv: string | null;
                    purchase: string | null;
                };
                /** @description loaded and answering */
                serving: {
                    churn: string | null;
                    clv: string | null;
                    purchase: string | null;
                };
            };
            /** @description informational, not a readiness check: the scored base (as_of null on an empty store, which still takes events) */
            scored: {
                as_of: string | null;
                customers: number;
            };
            /** @enum {string} */
            status: "ready" | "not_ready";
        };
        SegmentSummary: {
            as_of: string | null;
            customers: number;
            lifecycle_segments: {
                /** @description customers without one, e.g. no purchase for RFM and lifecycle */
                empty: number;
                groups: {
                    core?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    dozing?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    half_asleep?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    new?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    sleeping?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                };
                /** @description customers with a value for this field (the denominator of the shares) */
                scored: number;
            };
            pareto: {
                customer_share_for_revenue_share: number | null;
                customers_for_revenue_share: number;
                /** @description customers with positive trailing-12-month revenue */
                customers_with_revenue: number;
                /** @description the configured revenue share, 0.8 */
                revenue_share: number;
                /** @description the configured top share, 0.2 */
                top_customer_share: number;
                /** @description customers in the top group (ties with the last one included) */
                top_customers: number;
                top_cutoff: number | null;
                /** @description share of revenue the top group makes */
                top_revenue_share: number | null;
                total_revenue: number;
            };
            potential_tiers: {
                /** @description customers without one, e.g. no purchase for RFM and lifecycle */
                empty: number;
                groups: {
                    high?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                        strategy: string;
                    };
                    low?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                        strategy: string;
                    };
                    medium?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                        strategy: string;
                    };
                    super_user?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                        strategy: string;
                    };
                };
                /** @description customers with a value for this field (the denominator of the shares) */
                scored: number;
            };
            purchasers: number;
            rfm_segments: {
                /** @description customers without one, e.g. no purchase for RFM and lifecycle */
                empty: number;
                groups: {
                    about_to_sleep?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    at_risk?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    cannot_lose_them?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    champions?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    hibernating?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    lost?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    loyal?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    need_attention?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    new_customers?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    potential_loyalist?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                    promising?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                    };
                };
                /** @description customers with a value for this field (the denominator of the shares) */
                scored: number;
            };
            super_user_score: {
                left_out: ("consumption" | "engagement" | "social" | "loyalty")[];
                left_out_measures: ("purchases_365" | "revenue_365" | "distinct_products_all" | "margin_rate_all" | "visits_90" | "app_time_s_90" | "content_interactions_90" | "event_participations_365" | "referrals_all" | "referred_buyers_all" | "shares_all" | "reviews_all" | "tenure_days" | "competitor_resistance" | "feedback_all" | "support_satisfaction")[];
                mean: number | null;
                p25: number | null;
                p50: number | null;
                p75: number | null;
                p90: number | null;
                scored: number;
            };
            /** @description customers per tag rule id */
            tags: {
                [key: string]: number;
            };
            typical_gap: {
                days: number;
                repeat_customers: number;
                /** @enum {string} */
                source: "median_of_repeat_customers" | "config_fallback";
            };
            value_tiers: {
                /** @enum {string} */
                basis: "revenue" | "margin";
                /** @description customers without one, e.g. no purchase for RFM and lifecycle */
                empty: number;
                groups: {
                    diamond?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                        /** @description the tier's positive trailing-12-month value (revenue or margin, the tier basis) */
                        value: number;
                        value_share: number | null;
                    };
                    general?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                        /** @description the tier's positive trailing-12-month value (revenue or margin, the tier basis) */
                        value: number;
                        value_share: number | null;
                    };
                    gold?: {
                        count: number;
                        /** @description of the customers with a value for this field */
                        share: number | null;
                        /** @description the tier's positive trailing-12-month value (revenue or margin, the tier basis) */
                        value: number;
                        value_share: number | null;
                    };
                };
                /** @description customers with a value for this field (the denominator of the shares) */
                scored: number;
            };
        };
        ServingModels: {
            churn: string | null;
            clv: string | null;
            purchase: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description Not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    listActions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Catalog */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        actions: Record<string, never>[];
                        policy?: Record<string, never>;
                    };
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listAudience: {
        parameters: {
            query?: {
                /** @description Comma-separated channels (email, sms, line, push); the customer has consented to every one */
                consent?: string;
                /** @description Opaque: next_cursor of the previous page; the list goes on after that row */
                cursor?: string;
                /** @description Comma-separated tags; the customer has none of them (matched like `tags`) */
                exclude_tags?: string;
                /** @description json, csv or ndjson; overrides the Accept header (text/csv, application/x-ndjson; default JSON) */
                format?: "json" | "csv" | "ndjson";
                /** @description Comma-separated lifecycle segments (new, core, dozing, half_asleep, sleeping); any of them */
                lifecycle_segment?: string;
                /** @description JSON: page size, default 100, at most 1000. CSV/NDJSON: the most rows to export (default all) */
                limit?: number;
                /** @description Churn probability at most this (0–1). A customer without this prediction (no model, or an empty value) does not match. */
                max_churn_probability?: number;
                /** @description Purchase probability at most this (0–1). A customer without this prediction (no model, or an empty value) does not match. */
                max_purchase_probability?: number;
                /** @description Churn probability at least this (0–1). A customer without this prediction (no model, or an empty value) does not match. */
                min_churn_probability?: number;
                /** @description Potential index P (0–100) at least this */
                min_potential_index?: number;
                /** @description Predicted CLV at least this. A customer without this CLV (no model, or an empty value) does not match. */
                min_predicted_clv?: number;
                /** @description Purchase probability at least this (0–1). A customer without this prediction (no model, or an empty value) does not match. */
                min_purchase_probability?: number;
                /** @description Super-user score (0–100) at least this */
                min_super_user_score?: number;
                /** @description Comma-separated RFM segments; any of them */
                rfm_segment?: string;
                /** @description Comma-separated tags; the customer has at least one. `category_fan` matches `category_fan` and every `category_fan:<label>` */
                tags?: string;
                /** @description Comma-separated potential tiers (super_user, high, medium, low); default super_user,high */
                tier?: string;
                /** @description Comma-separated value tiers (diamond, gold, general); any of them */
                value_tier?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The audience: a JSON page, or the whole export as CSV or NDJSON */
            200: {
                headers: {
                    /** @description attachment; filename="audience-<as_of>.csv" (or .ndjson) */
                    "content-disposition"?: string;
                    /** @description the day the scores are computed as of */
                    "x-as-of"?: string;
                    /** @description rows this export holds (after the cursor, up to the limit) */
                    "x-export-rows"?: number;
                    /** @description only when a limit cut the export short: cursor to export the rest */
                    "x-next-cursor"?: string;
                    /** @description customers matching the filters in the whole base */
                    "x-total-count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AudiencePage"];
                    "application/x-ndjson": components["schemas"]["AudienceMember"] & unknown;
                    "text/csv": string;
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Nothing has been scored yet (the store has no events) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The cursor comes from an audience order a rescoring has changed since (someone's potential moved): start again without a cursor */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCustomerProfile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Profile */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomerProfile"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unknown customer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    ingestEvents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["IngestRequest"];
            };
        };
        responses: {
            /** @description Ingest summary */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IngestResult"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getExperimentReport: {
        parameters: {
            query?: {
                /** @description only actions of decisions first shown at or after this time, with all their outcomes */
                since?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Experiment report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        actions: {
                            /** @description "*" for all actions pooled */
                            action_id: string;
                            control: {
                                conversion_rate: number | null;
                                /** @description Wilson score interval */
                                conversion_rate_ci95: {
                                    lower: number;
                                    upper: number;
                                } | null;
                                conversions: number;
                                n: number;
                                revenue: number;
                                revenue_per_customer: number | null;
                            };
                            /** @description uplift × treatment n */
                            incremental_conversions: number | null;
                            notes: string[];
                            /** @description two-sided pooled two-proportion z test */
                            p_value: number | null;
                            /** @description uplift / control rate */
                            relative_lift: number | null;
                            revenue_uplift_per_customer: number | null;
                            /** @description the 95% interval of the uplift excludes 0 */
                            significant: boolean | null;
                            treatment: {
                                conversion_rate: number | null;
                                /** @description Wilson score interval */
                                conversion_rate_ci95: {
                                    lower: number;
                                    upper: number;
                                } | null;
                                conversions: number;
                                n: number;
                                revenue: number;
                                revenue_per_customer: number | null;
                            };
                            /** @description conversion rate treatment − control */
                            uplift: number | null;
                            /** @description Newcombe's hybrid score interval */
                            uplift_ci95: {
                                lower: number;
                                upper: number;
                            } | null;
                        }[];
                        method: string;
                        overall: {
                            /** @description "*" for all actions pooled */
                            action_id: string;
                            control: {
                                conversion_rate: number | null;
                                /** @description Wilson score interval */
                                conversion_rate_ci95: {
                                    lower: number;
                                    upper: number;
                                } | null;
                                conversions: number;
                                n: number;
                                revenue: number;
                                revenue_per_customer: number | null;
                            };
                            /** @description uplift × treatment n */
                            incremental_conversions: number | null;
                            notes: string[];
                            /** @description two-sided pooled two-proportion z test */
                            p_value: number | null;
                            /** @description uplift / control rate */
                            relative_lift: number | null;
                            revenue_uplift_per_customer: number | null;
                            /** @description the 95% interval of the uplift excludes 0 */
                            significant: boolean | null;
                            treatment: {
                                conversion_rate: number | null;
                                /** @description Wilson score interval */
                                conversion_rate_ci95: {
                                    lower: number;
                                    upper: number;
                                } | null;
                                conversions: number;
                                n: number;
                                revenue: number;
                                revenue_per_customer: number | null;
                            };
                            /** @description conversion rate treatment − control */
                            uplift: number | null;
                            /** @description Newcombe's hybrid score interval */
                            uplift_ci95: {
                                lower: number;
                                upper: number;
                            } | null;
                        };
                    };
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        problems: {
                            [key: string]: unknown;
                        }[];
                        serving: components["schemas"]["ServingModels"];
                        versions: {
                            [key: string]: unknown;
                        }[];
                    };
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    promoteModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                target: "purchase" | "churn" | "clv";
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default false */
                    force?: boolean;
                    version: string;
                };
            };
        };
        responses: {
            /** @description Switched */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelSwitch"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unknown version */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: worse than baseline, schema mismatch, nothing to roll back to */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Corrupt artifact: refused (the current models keep serving) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rollbackModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                target: "purchase" | "churn" | "clv";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switched */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelSwitch"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unknown version */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: worse than baseline, schema mismatch, nothing to roll back to */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Corrupt artifact: refused (the current models keep serving) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    reloadModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Serving */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        serving: components["schemas"]["ServingModels"];
                    };
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unknown version */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: worse than baseline, schema mismatch, nothing to roll back to */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Corrupt artifact: refused (the current models keep serving) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    decideNextBestAction: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NextBestActionRequest"];
            };
        };
        responses: {
            /** @description Decision */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NextBestAction"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unknown customer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    recordOutcomes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OutcomesRequest"];
            };
        };
        responses: {
            /** @description What was recorded; rejected outcomes are named in `issues` by index and field (as for POST /v1/events) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OutcomesResult"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    predict: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PredictionRequest"];
            };
        };
        responses: {
            /** @description Predictions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PredictionResult"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getFunnelSummary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Funnel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FunnelSummary"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unknown customer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSegmentSummary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Segments */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SegmentSummary"];
                };
            };
            /** @description Invalid input */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The API key lacks the scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unknown customer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A body that is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Store busy or not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
