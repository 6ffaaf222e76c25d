import dotenv from "dotenv";

// Imported first by every entry point, so that `.env` is read before any module looks at the environment.
dotenv.config({ quiet: true });
