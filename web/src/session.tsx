// Who is signed in, for every page: the session context App provides, and the role rules the
// pages show or hide things by (the server enforces the same rules; these only spare a click
// that would be refused).
import { createContext, useContext } from "react";
import { Me } from "./api";

export type Session = { me: Me | null; setMe: (me: Me | null) => void };

export const SessionContext = createContext<Session>({ me: null, setMe: () => {} });

export const useSession = () => useContext(SessionContext);

// Every role, as the server names them (GET /users' role values).
export const ROLES = ["admin", "executive", "rsm", "rep", "account_manager", "inside_sales", "customer_success", "clinical_specialist"] as const;
export type Role = (typeof ROLES)[number];

// Admins, executives and regional sales managers: the server's "managers" routes.
export const isManager = (me: Me | null): boolean => !!me && ["admin", "executive", "rsm"].includes(me.role);

export const isAdmin = (me: Me | null): boolean => me?.role === "admin";
