import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, openDataSource } from './data-source';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database),
        retryAttempts: 0,
      }),
      dataSourceFactory: async (options) => {
        if (!options) {
          throw new Error('TypeORM options missing');
        }
        return openDataSource(options);
      },
    }),
  ],
})
export class DatabaseModule {}
